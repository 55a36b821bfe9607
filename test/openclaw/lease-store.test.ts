// Real SQLite files (WAL, the schema) and real competing processes.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLeaseDatabase, type LeaseDatabase } from '../../src/openclaw/lease-store.js';
import { must } from '../helpers/run.js';
import { startHolder, type Holder } from './helpers/processes.js';
import { createStateDb, leaseKeys } from './helpers/state-db.js';

let dir: string;
let db: string;
const holders: Holder[] = [];
const opened: LeaseDatabase[] = [];
const NOW = Date.now();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockguard-leases-'));
  db = join(dir, 'openclaw.sqlite');
});
afterEach(async () => {
  opened.splice(0).forEach((handle) => handle.close());
  await Promise.all(holders.splice(0).map((holder) => holder.stop()));
  await must(['chattr', '-R', '-i', dir]);
  rmSync(dir, { recursive: true, force: true });
});

function open(path: string, write: boolean) {
  const outcome = openLeaseDatabase(path, write);
  if (outcome.status === 'open') opened.push(outcome.db);
  return outcome;
}

function openOk(path: string, write: boolean) {
  const outcome = open(path, write);
  if (outcome.status !== 'open') throw new Error(`expected open, got ${JSON.stringify(outcome)}`);
  return outcome;
}

const seed = [
  { scope: 'gateway-owner', key: 'global', owner: 'tok-a', payload: { owner: { pid: 1, host: 'old', startedAt: NOW - 5000 } }, createdAt: NOW - 5000 },
  { scope: 'session-write', key: 'agent:main:main', owner: 'tok-b', payload: { pid: 7, starttime: 99 }, createdAt: NOW - 4000, heartbeatAt: NOW - 3000 },
];

describe('openLeaseDatabase', () => {
  it('never creates a missing DB', () => {
    expect(open(db, true)).toEqual({ status: 'absent' });
    expect(open(db, false)).toEqual({ status: 'absent' });
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a file that is not SQLite, naming the problem and the fix, and leaves it byte-identical', () => {
    writeFileSync(db, '{"not":"sqlite"}');
    const outcome = open(db, true);
    expect(outcome).toMatchObject({ status: 'problem' });
    expect(outcome.status === 'problem' && outcome.message).toMatch(/not a SQLite database.*move it out of the state dir/);
    expect(readFileSync(db, 'utf8')).toBe('{"not":"sqlite"}');
  });

  it('reads rows of STRICT and non-STRICT tables alike', () => {
    createStateDb(db, seed, { strict: false });
    const { db: handle } = openOk(db, false);
    expect(handle.table('state_leases')).toEqual({ status: 'ok' });
    const { rows, skipped } = handle.leases();
    expect(skipped).toBe(0);
    expect(rows.map((row) => [row.scope, row.leaseKey, row.owner, row.heartbeatAt])).toEqual([
      ['gateway-owner', 'global', 'tok-a', null],
      ['session-write', 'agent:main:main', 'tok-b', NOW - 3000],
    ]);
  });

  it('reports a missing table and a table with extra columns', () => {
    createStateDb(db, [], { extraSql: 'ALTER TABLE state_leases ADD COLUMN fencing INTEGER' });
    const { db: handle } = openOk(db, false);
    expect(handle.table('state_leases')).toMatchObject({ status: 'unexpected', columns: expect.arrayContaining(['fencing']) });
    expect(handle.table('agent_database_leases')).toEqual({ status: 'missing' });
  });

  it('sees a DB held open for writing by another process', async () => {
    createStateDb(db, seed);
    holders.push(await startHolder([db, 'WAL', 'write-open'], { namespace: true }));
    expect(openOk(db, false).openForWrite).toBe('held-open');
  });

  it('sees a DB nobody writes as free', () => {
    createStateDb(db, seed);
    expect(openOk(db, false).openForWrite).toBe('free');
  });
});

describe('LeaseDatabase.readWasConsistent', () => {
  for (const journal of ['WAL', 'DELETE'] as const) {
    it(`holds for a read of a closed ${journal} DB until a writer commits to it, then no more`, () => {
      createStateDb(db, seed, { journal });
      const { db: handle } = openOk(db, false);
      expect(handle.leases().rows).toHaveLength(2);
      expect(handle.readWasConsistent()).toBe(true);
      const writer = new DatabaseSync(db);
      writer.exec("DELETE FROM state_leases WHERE owner = 'tok-a'");
      writer.close(); // In WAL mode, the last close checkpoints into the DB file and removes the -wal.
      expect(handle.readWasConsistent()).toBe(false);
    });
  }

  it('holds for a read through a live connection\'s -wal and -shm while they stay, and not once its close removed them', async () => {
    createStateDb(db, seed);
    holders.push(await startHolder([db, 'WAL', 'open'], { namespace: true }));
    const { db: handle } = openOk(db, false);
    expect(handle.leases().rows).toHaveLength(2);
    expect(handle.readWasConsistent()).toBe(true);
    rmSync(`${db}-wal`);
    rmSync(`${db}-shm`);
    expect(handle.readWasConsistent()).toBe(false);
  });
});

describe('LeaseDatabase.write', () => {
  it('deletes only the row whose owner token still matches', () => {
    createStateDb(db, seed);
    const { db: handle } = openOk(db, true);
    const outcome = handle.write(() => [
      handle.deleteLease({ scope: 'gateway-owner', leaseKey: 'global', owner: 'tok-a' }),
      handle.deleteLease({ scope: 'session-write', leaseKey: 'agent:main:main', owner: 'tok-reacquired' }),
    ]);
    expect(outcome).toEqual({ status: 'done', value: [true, false] });
    handle.close();
    expect(leaseKeys(db)).toEqual(['session-write/agent:main:main']);
  });

  for (const journal of ['WAL', 'DELETE'] as const) {
    it(`answers busy at once while another process holds BEGIN IMMEDIATE (${journal}), and changes nothing`, async () => {
      createStateDb(db, seed, { journal });
      holders.push(await startHolder([db, journal, 'immediate']));
      const { db: handle } = openOk(db, true);
      const started = performance.now();
      const outcome = handle.write(() => handle.deleteLease({ scope: 'gateway-owner', leaseKey: 'global', owner: 'tok-a' }));
      const elapsed = performance.now() - started;
      expect(outcome).toEqual({ status: 'busy' });
      expect(elapsed).toBeLessThan(1000);
      handle.close();
      await holders.pop()!.stop();
      expect(leaseKeys(db)).toEqual(['gateway-owner/global', 'session-write/agent:main:main']);
    });
  }

  it('reports a read-only DB file (immutable, so even root cannot write it) without changing it', async () => {
    createStateDb(db, seed, { journal: 'DELETE' });
    await must(['chattr', '+i', db]);
    const outcome = open(db, true);
    if (outcome.status === 'open') {
      expect(outcome.db.write(() => outcome.db.deleteLease({ scope: 'gateway-owner', leaseKey: 'global', owner: 'tok-a' }))).toEqual({ status: 'read-only' });
    } else {
      expect(outcome).toMatchObject({ status: 'problem' });
    }
    await must(['chattr', '-i', db]);
    expect(leaseKeys(db)).toEqual(['gateway-owner/global', 'session-write/agent:main:main']);
  });
});
