import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentDatabaseLeaseOf,
  fileLockOwnerOf,
  gatewayOwnerOf,
  leasePayloadOf,
  processNamespaceOf,
  processStartOf,
  runtimeDepsOwnerOf,
} from '../../src/openclaw/payloads.js';

const BOOT = '0f3c6a1e-6c2b-4d8e-9a51-3b2f7e9d1c44';
const CREATED = '2026-08-14T09:12:01.500Z';
const CREATED_MS = Date.parse(CREATED);

describe('a process start as OpenClaw records it (getFileLockProcessStartTime)', () => {
  it('is clock ticks below 1e12 (Linux: /proc/<pid>/stat field 22)', () => {
    expect(processStartOf(25726)).toEqual({ starttime: 25726 });
    expect(processStartOf(0)).toEqual({ starttime: 0 });
    expect(processStartOf(999_999_999_999)).toEqual({ starttime: 999_999_999_999 });
  });

  it('is epoch ms from 1e12 (Windows: the process creation time)', () => {
    expect(processStartOf(CREATED_MS)).toEqual({ processStartMs: CREATED_MS });
  });

  it('drops what is neither: fractions below 1e12, negatives, beyond epoch ms, text, null', () => {
    for (const value of [1.5, -1, 2e14, '25726', null, undefined, Number.NaN]) expect(processStartOf(value)).toEqual({});
  });
});

// processNamespace is the shape issue 7 described; no OpenClaw checked (2026.5.28, 2026.7.35, 2026.8.2, 2026.9.6) writes it.
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
  it('reads 2026.9\'s lock: startTime (clock ticks) as starttime, and ownerId', () => {
    const owner = gatewayOwnerOf({
      pid: 1,
      ownerId: '23c5f04c-f6af-47ee-b2fa-dd99d0411bd3',
      cronOwnerProjection: 'dynamic-default-v1',
      createdAt: CREATED,
      configPath: '/state/openclaw.json',
      stateDir: '/state',
      port: 18789,
      startTime: 25726,
    });
    expect(owner).toEqual({ pid: 1, ownerId: '23c5f04c-f6af-47ee-b2fa-dd99d0411bd3', createdAt: CREATED, starttime: 25726 });
  });

  it('reads a Windows writer\'s startTime (epoch ms) as a start in ms, never as ticks', () => {
    expect(gatewayOwnerOf({ pid: 8, createdAt: CREATED, startTime: CREATED_MS - 5000 })).toEqual({ pid: 8, createdAt: CREATED, processStartMs: CREATED_MS - 5000 });
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

describe('fs-safe sidecar lock payload', () => {
  it('reads {pid, createdAt, starttime} and ignores the fields some callers add', () => {
    expect(fileLockOwnerOf({ pid: 20, createdAt: CREATED, starttime: 4410, nonce: 'x' })).toEqual({ pid: 20, createdAt: CREATED, starttime: 4410 });
  });

  it('reads a lock without starttime (OpenClaw omits it when it cannot read one)', () => {
    expect(fileLockOwnerOf({ pid: 20, createdAt: CREATED })).toEqual({ pid: 20, createdAt: CREATED });
  });
});

describe('exec-approvals lock payload', () => {
  it('reads {pid, createdAt, starttime}', () => {
    expect(fileLockOwnerOf({ pid: 8, createdAt: CREATED, starttime: 912 })).toEqual({ pid: 8, createdAt: CREATED, starttime: 912 });
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
  const TOKEN = '23c5f04c-f6af-47ee-b2fa-dd99d0411bd3';
  const row = (payloadJson: string | null) => ({ payloadJson, createdAt: CREATED_MS, owner: TOKEN });

  it('reads session-write rows {pid, starttime, maxHoldMs}', () => {
    expect(leasePayloadOf(row('{"pid":7,"starttime":512,"maxHoldMs":600000}'))).toEqual({
      ok: true,
      owner: { pid: 7, ownerId: TOKEN, starttime: 512, maxHoldMs: 600000, createdAt: CREATED },
      createdAtMs: CREATED_MS,
    });
  });

  it('reads 2026.9\'s gateway-owner row: owner.startedAt is the owner\'s start in clock ticks, the owner column its token', () => {
    const payload = leasePayloadOf(row(JSON.stringify({ owner: { pid: 1, host: 'box-a', startedAt: 25726 }, port: 18789, mode: 'foreground', supervisor: null })));
    expect(payload).toEqual({ ok: true, owner: { pid: 1, ownerId: TOKEN, starttime: 25726, host: 'box-a', createdAt: CREATED }, createdAtMs: CREATED_MS });
  });

  it('reads a Windows owner\'s startedAt (epoch ms) as a start in ms, and a null one (not yet repaired) as unknown', () => {
    expect(leasePayloadOf(row(JSON.stringify({ owner: { pid: 1, host: 'w', startedAt: CREATED_MS - 60_000 } }))).owner).toMatchObject({ processStartMs: CREATED_MS - 60_000 });
    const unknownStart = leasePayloadOf(row(JSON.stringify({ owner: { pid: 1, host: 'w', startedAt: null } }))).owner;
    expect(unknownStart.starttime).toBeUndefined();
    expect(unknownStart.processStartMs).toBeUndefined();
  });

  it('takes the hold\'s start from created_at only, never from the owner\'s startedAt', () => {
    const payload = leasePayloadOf({ payloadJson: JSON.stringify({ owner: { pid: 1, startedAt: CREATED_MS } }), createdAt: null, owner: TOKEN });
    expect(payload).toMatchObject({ ok: true, owner: { processStartMs: CREATED_MS } });
    expect(payload.createdAtMs).toBeUndefined();
    expect(payload.owner.createdAt).toBeUndefined();
  });

  it('reads processNamespace in a lease owner, where some writer put it', () => {
    const owner = { pid: 1, host: 'c', startedAt: 512, processNamespace: { host: 'c', platform: 'linux', identity: BOOT, pidNsInode: 4026532999 } };
    expect(leasePayloadOf(row(JSON.stringify({ owner }))).owner).toMatchObject({ bootId: BOOT, pidNsInode: 4026532999 });
  });

  it('never throws on an owner of the wrong shape: it is read as a session-write row', () => {
    for (const owner of [[], 'x', 7, null]) {
      expect(leasePayloadOf(row(JSON.stringify({ owner, pid: 9 })))).toMatchObject({ ok: true, owner: { pid: 9 } });
      expect(leasePayloadOf(row(JSON.stringify({ owner })))).toMatchObject({ ok: false, problem: 'no-pid' });
    }
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
