import { describe, expect, it } from 'vitest';
import { OwnerLedger } from '../../src/openclaw/same-owner.js';

const TOKEN = '23c5f04c-f6af-47ee-b2fa-dd99d0411bd3';
const STATE = '/s/tmp/openclaw-0/gateway.state.lock';
const CONFIG = '/s/tmp/openclaw-0/gateway.7406df2a.lock';
const lock = { pid: 1, ownerId: TOKEN, starttime: 25726 };
const row = { pid: 1, ownerId: TOKEN, starttime: 25726, host: 'box-a' };

describe('OwnerLedger: what the lock files proved about the owner a row names', () => {
  it('is stale when a lock file of the same acquisition is stale, live when any is live', () => {
    const ledger = new OwnerLedger();
    ledger.note(STATE, lock, 'stale');
    expect(ledger.fateOf(row)).toBe('stale');
    ledger.note(CONFIG, lock, 'live');
    expect(ledger.fateOf(row)).toBe('live');
    ledger.note(CONFIG, lock, 'unknown');
    expect(ledger.fateOf(row)).toBe('stale');
  });

  it('keeps only the latest look at a path, and forgets a lock gone since', () => {
    const ledger = new OwnerLedger();
    ledger.note(STATE, lock, 'stale');
    ledger.note(STATE, lock, 'live');
    expect(ledger.fateOf(row)).toBe('live');
    ledger.forget(STATE);
    expect(ledger.fateOf(row)).toBeUndefined();
    ledger.note(STATE, lock, 'stale');
    ledger.note(STATE, { pid: 9, ownerId: 'another' }, 'live'); // the name taken by a new owner
    expect(ledger.fateOf(row)).toBeUndefined();
  });

  it('needs the same token, and pid and start agreeing where both records carry them', () => {
    const ledger = new OwnerLedger();
    ledger.note(STATE, lock, 'stale');
    expect(ledger.fateOf({ ...row, ownerId: 'another' })).toBeUndefined();
    expect(ledger.fateOf({ ...row, pid: 2 })).toBeUndefined();
    expect(ledger.fateOf({ ...row, starttime: 25727 })).toBeUndefined();
    expect(ledger.fateOf({ pid: 1, starttime: 25726 })).toBeUndefined();
    // OpenClaw writes the row's startedAt as null when it cannot read it (repaired on a heartbeat).
    expect(ledger.fateOf({ pid: 1, ownerId: TOKEN, host: 'box-a' })).toBe('stale');
  });

  it('notes nothing for a lock without a token', () => {
    const ledger = new OwnerLedger();
    ledger.note(STATE, { pid: 1, starttime: 25726 }, 'stale');
    expect(ledger.fateOf({ pid: 1, starttime: 25726 })).toBeUndefined();
  });
});
