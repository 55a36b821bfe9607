import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentDatabaseLeaseOf,
  execApprovalsOwnerOf,
  gatewayOwnerOf,
  leasePayloadOf,
  processNamespaceOf,
  runtimeDepsOwnerOf,
} from '../../src/openclaw/payloads.js';

const BOOT = '0f3c6a1e-6c2b-4d8e-9a51-3b2f7e9d1c44';
const CREATED = '2026-08-14T09:12:01.500Z';
const CREATED_MS = Date.parse(CREATED);

describe('processNamespace', () => {
  it('reads the nested-boot shape {host, boot:{platform, identity}, pidNamespace}', () => {
    expect(processNamespaceOf({ host: 'c0ffee', boot: { platform: 'linux', identity: BOOT }, pidNamespace: 'pid:[4026532180]' })).toEqual({
      host: 'c0ffee',
      bootId: BOOT,
      pidNsInode: 4026532180,
    });
  });

  it('reads the flat shape {host, platform, identity, pidNsInode}', () => {
    expect(processNamespaceOf({ host: 'c0ffee', platform: 'linux', identity: BOOT.toUpperCase(), pidNsInode: 4026532180 })).toEqual({
      host: 'c0ffee',
      bootId: BOOT,
      pidNsInode: 4026532180,
    });
  });

  it('accepts the inode as a bare numeric string', () => {
    expect(processNamespaceOf({ pidNsInode: '4026532180' }).pidNsInode).toBe(4026532180);
  });

  it('never takes a non-Linux identity as a boot id: it is not comparable with ours', () => {
    expect(processNamespaceOf({ platform: 'darwin', identity: BOOT }).bootId).toBeUndefined();
    expect(processNamespaceOf({ boot: { platform: 'linux', identity: '1718000000' } }).bootId).toBeUndefined();
  });

  it('drops junk instead of guessing', () => {
    expect(processNamespaceOf('pid:[1]')).toEqual({});
    expect(processNamespaceOf(null)).toEqual({});
    expect(processNamespaceOf({ pidNsInode: 'net:[4026532180]', identity: 7, host: 42 })).toEqual({});
    expect(processNamespaceOf({ pidNsInode: -3 })).toEqual({});
  });
});

describe('gateway lock payload', () => {
  it('maps startTime (OpenClaw reads /proc/<pid>/stat field 22: clock ticks) to starttime', () => {
    const owner = gatewayOwnerOf({ pid: 8, createdAt: CREATED, configPath: '/state/openclaw.json', startTime: 7204072, port: 18789, role: 'gateway' });
    expect(owner).toEqual({ pid: 8, createdAt: CREATED, starttime: 7204072 });
    expect(owner.processStartMs).toBeUndefined();
  });

  it('carries the writer namespace from processNamespace', () => {
    const owner = gatewayOwnerOf({
      pid: 1,
      createdAt: CREATED,
      processNamespace: { host: 'old-container', boot: { platform: 'linux', identity: BOOT }, pidNamespace: 4026532999 },
    });
    expect(owner).toMatchObject({ pid: 1, bootId: BOOT, pidNsInode: 4026532999, host: 'old-container' });
  });

  it('treats wrongly typed fields as missing', () => {
    expect(gatewayOwnerOf({ pid: '8', createdAt: 5, startTime: -1 })).toEqual({});
  });
});

describe('exec-approvals lock payload', () => {
  it('reads {pid, createdAt, starttime}', () => {
    expect(execApprovalsOwnerOf({ pid: 8, createdAt: CREATED, starttime: 912 })).toEqual({ pid: 8, createdAt: CREATED, starttime: 912 });
  });
});

describe('runtime-deps owner.json', () => {
  it('reads the deps lock {pid, createdAtMs, pidStartTimeMs}', () => {
    expect(runtimeDepsOwnerOf({ pid: 7, createdAtMs: CREATED_MS, pidStartTimeMs: CREATED_MS - 4000 })).toEqual({
      pid: 7,
      createdAt: CREATED,
      processStartMs: CREATED_MS - 4000,
    });
  });

  it('reads the mirror lock {pid, startedAt} as when the lock was taken', () => {
    expect(runtimeDepsOwnerOf({ pid: 7, startedAt: CREATED_MS })).toEqual({ pid: 7, createdAt: CREATED });
    expect(runtimeDepsOwnerOf({ pid: 7, startedAt: CREATED })).toEqual({ pid: 7, createdAt: CREATED });
  });

  it('keeps starttime ticks that some builds write', () => {
    expect(runtimeDepsOwnerOf({ pid: 7, starttime: 4411, createdAtMs: CREATED_MS })).toMatchObject({ starttime: 4411 });
  });

  it('drops a pidStartTimeMs that is no epoch-ms value (ticks or seconds would fake a recycled pid)', () => {
    expect(runtimeDepsOwnerOf({ pid: 7, pidStartTimeMs: 7204072 }).processStartMs).toBeUndefined();
    expect(runtimeDepsOwnerOf({ pid: 7, pidStartTimeMs: 1_760_000_000 }).processStartMs).toBeUndefined();
  });
});

describe('state_leases payload_json', () => {
  const row = (payloadJson: string | null) => ({ payloadJson, createdAt: CREATED_MS });

  it('reads session-write rows {pid, starttime, maxHoldMs}', () => {
    expect(leasePayloadOf(row('{"pid":7,"starttime":512,"maxHoldMs":600000}'))).toEqual({
      ok: true,
      owner: { pid: 7, starttime: 512, maxHoldMs: 600000, createdAt: CREATED },
      createdAtMs: CREATED_MS,
    });
  });

  it('reads generic leases {owner: {pid, host, startedAt, processNamespace}}', () => {
    const payload = leasePayloadOf(
      row(JSON.stringify({ owner: { pid: 1, host: '3f9c2d1b7a6e', startedAt: CREATED_MS - 60_000, processNamespace: { host: '3f9c2d1b7a6e', platform: 'linux', identity: BOOT, pidNsInode: 4026532999 } }, port: 18789 })),
    );
    expect(payload).toEqual({
      ok: true,
      owner: { pid: 1, host: '3f9c2d1b7a6e', createdAt: CREATED, bootId: BOOT, pidNsInode: 4026532999 },
      createdAtMs: CREATED_MS,
    });
  });

  it('never throws on an owner of the wrong shape: it is read as a session-write row', () => {
    for (const owner of [[], 'x', 7, null]) {
      expect(leasePayloadOf(row(JSON.stringify({ owner, pid: 9 })))).toMatchObject({ ok: true, owner: { pid: 9 } });
      expect(leasePayloadOf(row(JSON.stringify({ owner })))).toMatchObject({ ok: false, problem: 'no-pid' });
    }
  });

  it('falls back to owner.startedAt when the row has no created_at', () => {
    const payload = leasePayloadOf({ payloadJson: JSON.stringify({ owner: { pid: 1, startedAt: CREATED } }), createdAt: null });
    expect(payload).toMatchObject({ ok: true, createdAtMs: CREATED_MS, owner: { createdAt: CREATED } });
  });

  it('reports expiry-only rows as having no process owner', () => {
    expect(leasePayloadOf(row('{"reason":"maintenance"}'))).toMatchObject({ ok: false, problem: 'no-pid' });
    expect(leasePayloadOf(row('{"owner":"token-only"}'))).toMatchObject({ ok: false, problem: 'no-pid' });
  });

  it('reports non-JSON and empty payloads', () => {
    expect(leasePayloadOf(row('pid=7'))).toMatchObject({ ok: false, problem: 'unparseable' });
    expect(leasePayloadOf(row('[7]'))).toMatchObject({ ok: false, problem: 'unparseable' });
    expect(leasePayloadOf(row(null))).toMatchObject({ ok: false, problem: 'empty' });
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const payload = leasePayloadOf(row(text));
        expect(payload.ok === (payload.owner.pid !== undefined)).toBe(true);
      }),
    );
  });
});

describe('agent_database_leases rows', () => {
  const base = { leaseId: 'l1', agentId: 'main', path: '/state/agents/main/agent/openclaw-agent.sqlite', openedAt: CREATED_MS };

  it('reads owner_start_time as ticks', () => {
    expect(agentDatabaseLeaseOf({ ...base, ownerPid: 7, ownerStartTime: 9001 })).toEqual({
      ok: true,
      owner: { pid: 7, starttime: 9001, createdAt: CREATED },
      createdAtMs: CREATED_MS,
    });
  });

  it('reads an epoch-ms owner_start_time as a process start in ms, never as ticks', () => {
    const payload = agentDatabaseLeaseOf({ ...base, ownerPid: 7, ownerStartTime: CREATED_MS - 1000 });
    expect(payload.owner).toEqual({ pid: 7, processStartMs: CREATED_MS - 1000, createdAt: CREATED });
  });

  it('reports a row without owner_pid', () => {
    expect(agentDatabaseLeaseOf({ ...base, ownerPid: null, ownerStartTime: null })).toMatchObject({ ok: false, problem: 'no-pid' });
  });
});
