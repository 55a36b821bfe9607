import { describe, expect, it } from 'vitest';
import { startMs } from '../../src/model/time.js';
import { judge, type Evidence } from '../../src/verdict/judge.js';
import { alive, BORN_MS, BTIME, EXCLUSIVE_FLAG, EXCLUSIVE_PROVEN, evidenceOf, modelOf, NOW_MS, POLICY, SHARED } from './model-fixture.js';

const model = modelOf();
const OUR_NS = model.pidNs.inode;
const BEFORE = -600_000; // written 10 min before our namespace was born
const AFTER = 10_000; // written 10 s after

describe('proof of life comes first', () => {
  it.each([EXCLUSIVE_FLAG, EXCLUSIVE_PROVEN, SHARED])('held-open beats every proof of death (%o)', (volume) => {
    const evidence = evidenceOf(7, BEFORE, { openForWrite: 'held-open', bootId: 'boot-old' });
    expect(judge(evidence, model, volume, POLICY)).toEqual({ verdict: 'live', reasons: ['held-open'] });
  });

  it('held-lock on the coordinator keeps a lock whose owner looks dead', () => {
    const evidence = evidenceOf(7, AFTER, { recordLock: 'held', pidNsInode: OUR_NS });
    expect(judge(evidence, model, EXCLUSIVE_FLAG, POLICY).reasons).toEqual(['held-lock']);
  });

  it('a live pid in our namespace with the recorded starttime is live-pid', () => {
    const evidence = evidenceOf(7, AFTER, { starttime: 123, process: alive(7, 123), pidNsInode: OUR_NS });
    expect(judge(evidence, model, SHARED, POLICY)).toEqual({ verdict: 'live', reasons: ['live-pid'] });
  });

  it('EPERM or a hidden /proc entry counts as alive', () => {
    const evidence = evidenceOf(7, AFTER, { starttime: 123, process: { pid: 7, status: 'invisible' }, pidNsInode: OUR_NS });
    expect(judge(evidence, model, EXCLUSIVE_FLAG, POLICY).reasons).toEqual(['live-pid']);
  });
});

describe('proof of death in our own namespace', () => {
  it('dead-pid when the recorded namespace is ours and the pid is absent', () => {
    expect(judge(evidenceOf(42, AFTER, { pidNsInode: OUR_NS }), model, SHARED, POLICY)).toEqual({ verdict: 'stale', reasons: ['dead-pid'] });
  });

  it('a single-threaded zombie counts as dead; a zombie leader with live threads does not', () => {
    const zombie = evidenceOf(42, AFTER, { pidNsInode: OUR_NS, starttime: 5, process: alive(42, 5, 'Z', 1) });
    expect(judge(zombie, model, SHARED, POLICY).reasons).toEqual(['dead-pid']);
    const leader = evidenceOf(42, AFTER, { pidNsInode: OUR_NS, starttime: 5, process: alive(42, 5, 'Z', 3) });
    expect(judge(leader, model, SHARED, POLICY).reasons).toEqual(['live-pid']);
  });

  it('recycled-pid when the live process has another starttime', () => {
    const evidence = evidenceOf(7, AFTER, { starttime: 100, process: alive(7, 200), pidNsInode: OUR_NS });
    expect(judge(evidence, model, SHARED, POLICY).reasons).toEqual(['recycled-pid']);
  });

  it('legacy lock without starttime: recycled-pid only when the process is younger than the lock', () => {
    const lockAt = 10_000;
    const youngerTicks = ((BORN_MS + lockAt + 5_000 - BTIME * 1000) * 100) / 1000;
    const olderTicks = ((BORN_MS + lockAt - 5_000 - BTIME * 1000) * 100) / 1000;
    expect(judge(evidenceOf(7, lockAt, { process: alive(7, youngerTicks) }), model, EXCLUSIVE_FLAG, POLICY).reasons).toEqual(['recycled-pid']);
    expect(judge(evidenceOf(7, lockAt, { process: alive(7, olderTicks) }), model, EXCLUSIVE_FLAG, POLICY).reasons).toEqual(['live-pid']);
  });

  it('orphan-self-pid for our own pid, and for our parent unless the lock carries the parent start', () => {
    const self = evidenceOf(1, AFTER, { starttime: 999, process: alive(1, model.selfStarttime), pidNsInode: OUR_NS });
    expect(judge(self, model, SHARED, POLICY).reasons).toEqual(['orphan-self-pid']);
    const child = modelOf({ selfPid: 30, parentPid: 20 });
    const parent = evidenceOf(20, AFTER, { process: alive(20, 150_000), pidNsInode: OUR_NS });
    expect(judge(parent, child, SHARED, POLICY).reasons).toEqual(['orphan-self-pid']);
    const parentsOwn = evidenceOf(20, AFTER, { starttime: 150_000, process: alive(20, 150_000), pidNsInode: OUR_NS });
    expect(judge(parentsOwn, child, SHARED, POLICY).reasons).toEqual(['live-pid']);
  });

  it('a declared exclusive volume lets a lock younger than our namespace count as ours', () => {
    expect(judge(evidenceOf(42, AFTER), model, EXCLUSIVE_FLAG, POLICY).reasons).toEqual(['dead-pid']);
  });

  it('auto-proven exclusive never infers "ours" for a lock younger than our namespace', () => {
    expect(judge(evidenceOf(42, AFTER), model, EXCLUSIVE_PROVEN, POLICY)).toEqual({ verdict: 'unknown', reasons: ['created-after-namespace'] });
  });

  it('the post-exit sweep knows its own child: dead-pid even on an auto-proven or shared volume', () => {
    const own = { ...evidenceOf(9, AFTER, { starttime: 500 }), ownChild: true };
    expect(judge(own, model, EXCLUSIVE_PROVEN, POLICY).reasons).toEqual(['dead-pid']);
    expect(judge(own, model, SHARED, POLICY).reasons).toEqual(['dead-pid']);
    expect(judge({ ...own, openForWrite: 'held-open' }, model, SHARED, POLICY).reasons).toEqual(['held-open']);
  });

  it('a reused namespace inode on a lock older than our namespace proves nothing by itself', () => {
    expect(judge(evidenceOf(42, BEFORE, { pidNsInode: OUR_NS }), model, SHARED, POLICY).verdict).toBe('unknown');
  });
});

describe('proof of death across namespaces needs an exclusive volume', () => {
  it('previous-namespace: lock predates our birth on an exclusive volume', () => {
    expect(judge(evidenceOf(7, BEFORE), model, EXCLUSIVE_PROVEN, POLICY)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'] });
    expect(judge(evidenceOf(7, BEFORE), model, EXCLUSIVE_FLAG, POLICY).reasons).toEqual(['previous-namespace']);
  });

  it('on a shared volume the same lock is kept', () => {
    expect(judge(evidenceOf(7, BEFORE), model, SHARED, POLICY)).toEqual({ verdict: 'unknown', reasons: ['shared-volume'] });
  });

  it('a renewed mtime after our birth is a sign of life: not previous-namespace', () => {
    const evidence = { ...evidenceOf(7, BEFORE), mtimeMs: BORN_MS + 5_000 };
    expect(judge(evidence, model, EXCLUSIVE_PROVEN, POLICY).verdict).toBe('unknown');
  });

  it('a recorded foreign namespace is previous-namespace only on an exclusive volume', () => {
    expect(judge(evidenceOf(7, BEFORE, { pidNsInode: 4026531999 }), model, EXCLUSIVE_PROVEN, POLICY).reasons).toEqual(['previous-namespace']);
    expect(judge(evidenceOf(7, AFTER, { pidNsInode: 4026531999 }), model, EXCLUSIVE_PROVEN, POLICY).verdict).toBe('unknown');
    expect(judge(evidenceOf(7, AFTER, { pidNsInode: 4026531999 }), model, EXCLUSIVE_FLAG, POLICY).reasons).toEqual(['previous-namespace']);
    expect(judge(evidenceOf(7, AFTER, { pidNsInode: 4026531999 }), model, SHARED, POLICY).verdict).toBe('unknown');
  });

  it('previous-boot: another boot id, or a lock older than the boot, on an exclusive volume', () => {
    expect(judge(evidenceOf(7, AFTER, { bootId: 'boot-old' }), model, EXCLUSIVE_PROVEN, POLICY).reasons).toEqual(['previous-boot']);
    const beforeBoot = evidenceOf(7, BTIME * 1000 - BORN_MS - 60_000);
    expect(judge(beforeBoot, model, EXCLUSIVE_PROVEN, POLICY).reasons).toEqual(['previous-boot']);
    expect(judge(beforeBoot, model, SHARED, POLICY)).toEqual({ verdict: 'unknown', reasons: ['shared-volume', 'too-old'] });
  });
});

describe('malformed locks and notes', () => {
  const malformed = (ageMs: number) => ({
    payload: { ok: false as const, problem: 'empty' as const, owner: {} },
    mtimeMs: NOW_MS - ageMs,
    openForWrite: 'free' as const,
    recordLock: 'none' as const,
    process: undefined,
  });

  it('is kept inside the grace and stale after it', () => {
    expect(judge(malformed(5_000), model, SHARED, POLICY)).toEqual({ verdict: 'unknown', reasons: ['malformed-in-grace'] });
    expect(judge(malformed(60_000), model, SHARED, POLICY)).toEqual({ verdict: 'stale', reasons: ['malformed'] });
  });

  it('no proof of death stands when the held-open probe could not run', () => {
    expect(judge({ ...evidenceOf(42, AFTER, { pidNsInode: OUR_NS }), openForWrite: 'unknown' }, model, EXCLUSIVE_FLAG, POLICY)).toEqual({ verdict: 'unknown', reasons: ['probe-failed'] });
    expect(judge({ ...evidenceOf(7, BEFORE), openForWrite: 'unknown' }, model, EXCLUSIVE_PROVEN, POLICY).reasons).toEqual(['probe-failed']);
  });

  it('is kept when the held-open probe could not run', () => {
    expect(judge({ ...malformed(60_000), openForWrite: 'unknown' }, model, SHARED, POLICY).verdict).toBe('unknown');
  });

  it('too-old is only a note', () => {
    const old = evidenceOf(7, BEFORE);
    const policy = { ...POLICY, nowMs: NOW_MS + 1_800_000 };
    expect(judge(old, model, SHARED, policy)).toEqual({ verdict: 'unknown', reasons: ['shared-volume', 'too-old'] });
  });
});

describe('an empty reclaim guard: a record without an owner by design', () => {
  /** An fs-safe guard (an empty directory) made `msAfterBirth` after our namespace was born, judged `ageMs` later. */
  const guard = (msAfterBirth: number): Evidence => ({
    payload: { ok: false, problem: 'empty', owner: {} },
    mtimeMs: BORN_MS + msAfterBirth,
    openForWrite: 'free',
    recordLock: 'none',
    process: undefined,
    ownerless: true,
  });

  it('is previous-namespace when it predates our namespace on an exclusive volume, however young', () => {
    const justBefore = guard(-2_000);
    const policy = { ...POLICY, nowMs: BORN_MS + 1_000 }; // 3 s old: well inside the 30 s grace
    expect(judge(justBefore, model, EXCLUSIVE_PROVEN, policy)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'] });
    expect(judge(justBefore, model, EXCLUSIVE_FLAG, policy).reasons).toEqual(['previous-namespace']);
  });

  it('is previous-boot when it predates the boot, on an exclusive volume', () => {
    expect(judge(guard(BTIME * 1000 - BORN_MS - 60_000), model, EXCLUSIVE_PROVEN, POLICY).reasons).toEqual(['previous-boot']);
  });

  it('is kept when made after our namespace was born, however old: age proves no reclaimer dead', () => {
    const policy = { ...POLICY, nowMs: BORN_MS + 10 * 60_000 };
    expect(judge(guard(AFTER), model, EXCLUSIVE_PROVEN, policy)).toEqual({ verdict: 'unknown', reasons: ['no-owner'] });
    expect(judge(guard(AFTER), model, EXCLUSIVE_FLAG, policy)).toEqual({ verdict: 'unknown', reasons: ['no-owner'] });
  });

  it('is kept on a shared volume, even from before the boot', () => {
    expect(judge(guard(BEFORE), model, SHARED, POLICY)).toEqual({ verdict: 'unknown', reasons: ['shared-volume'] });
    expect(judge(guard(BTIME * 1000 - BORN_MS - 60_000), model, SHARED, POLICY).verdict).toBe('unknown');
  });
});

describe('correlated evidence: a record shares the fate of the lock files naming the same owner', () => {
  it('a row whose owner\'s lock file is live is live, whatever else proves', () => {
    const row = { ...evidenceOf(1, BEFORE), sameOwner: 'live' as const };
    expect(judge(row, model, EXCLUSIVE_PROVEN, POLICY)).toEqual({ verdict: 'live', reasons: ['owner-lock-live'] });
    expect(judge({ ...row, payload: { ...row.payload, owner: { ...row.payload.owner, bootId: 'boot-old' } } }, model, EXCLUSIVE_FLAG, POLICY).reasons).toEqual(['owner-lock-live']);
  });

  it('a row whose owner\'s lock file was proven stale is stale, on a shared volume too (a DB held open by anyone)', () => {
    const row = { ...evidenceOf(1, AFTER, { starttime: 500 }), sameOwner: 'stale' as const };
    expect(judge(row, model, SHARED, POLICY)).toEqual({ verdict: 'stale', reasons: ['owner-lock-stale'] });
    expect(judge(row, model, EXCLUSIVE_PROVEN, POLICY)).toEqual({ verdict: 'stale', reasons: ['owner-lock-stale'] });
  });

  it('a row that proves its owner dead by itself says so', () => {
    expect(judge({ ...evidenceOf(1, BEFORE), sameOwner: 'stale' }, model, EXCLUSIVE_PROVEN, POLICY).reasons).toEqual(['previous-namespace']);
    expect(judge({ ...evidenceOf(9, AFTER, { starttime: 500 }), ownChild: true, sameOwner: 'stale' }, model, SHARED, POLICY).reasons).toEqual(['dead-pid']);
  });

  it('the exact owner running here still wins: live-pid', () => {
    const row = { ...evidenceOf(7, AFTER, { starttime: 123, process: alive(7, 123) }), sameOwner: 'stale' as const };
    expect(judge(row, model, SHARED, POLICY).reasons).toEqual(['live-pid']);
  });
});

it('startMs converts ticks since boot through the boot instant and the tick rate', () => {
  expect(startMs(250, { bootMs: 10_000, clockTicks: 100 })).toBe(12_500);
});
