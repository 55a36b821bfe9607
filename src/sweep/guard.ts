// Reclaim guards (<lock>.reclaim) found on the walk or in a reclaim's way: judged like locks, on
// the owner.json lockguard writes into its own; OpenClaw's carry none (judgeOwnerless in verdict/judge.ts).
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Candidate } from '../locks/discover.js';
import { parsePayload } from '../locks/payload.js';
import { readSnapshot, stillSame } from '../locks/read.js';
import type { ParsedPayload } from '../locks/types.js';
import type { NamespaceModel } from '../model/types.js';
import { GUARD_OWNER_FILE, releaseGuard } from '../reclaim/guard.js';
import type { LockEntry } from '../report/types.js';
import type { Judgement } from '../verdict/types.js';
import { entryOf, judgeLock, notOurs, unjudgedEntry, type LockContext } from './entry.js';
import { monotonicMs } from '../model/time.js';

/** lockguard's identity in the guards it takes, so a guard left by a killed lockguard can be judged like a lock. */
export function guardOwnerOf(model: NamespaceModel): string {
  return JSON.stringify({ pid: model.selfPid, starttime: model.selfStarttime, createdAt: new Date().toISOString(), bootId: model.bootId, pidNsInode: model.pidNs.inode });
}

/** A guard as judged: its verdict, and the directory it was judged on (removed only if still that one). */
interface JudgedGuard {
  payload: ParsedPayload;
  judgement: Judgement;
  dir?: { dev: number; ino: number; mtimeMs: number };
  /** Nothing in it: OpenClaw's own guard, or one a lockguard was killed before writing its owner into. */
  empty?: true;
}

/**
 * A guard is stale only on the same proofs as a lock: its owner.json names a dead lockguard, or,
 * for a guard with nothing in it (OpenClaw's own; a lockguard killed before writing its owner), the
 * proofs for a record without an owner (judgeOwnerless in verdict/judge.ts).
 */
function judgeGuard(guard: string, context: LockContext): JudgedGuard {
  let names: string[];
  let dir: JudgedGuard['dir'];
  try {
    const { dev, ino, mtimeMs } = lstatSync(guard);
    dir = { dev, ino, mtimeMs };
    names = readdirSync(guard);
  } catch {
    return { payload: { ok: false, problem: 'unparseable', owner: {} }, judgement: { verdict: 'unknown', reasons: ['probe-failed'] } };
  }
  if (names.some((name) => name !== GUARD_OWNER_FILE)) {
    return { payload: { ok: false, problem: 'unparseable', owner: {} }, judgement: { verdict: 'unknown', reasons: ['no-owner'] }, dir };
  }
  if (names.length === 0) {
    // Nothing names a pid, so the host view has nothing to look up: only where and when the guard was made count.
    const payload: ParsedPayload = { ok: false, problem: 'empty', owner: {} };
    const facts = { mtimeMs: dir.mtimeMs, openForWrite: 'free', recordLock: 'none', readAtMs: monotonicMs(), ownerless: true } as const;
    return { payload, judgement: judgeLock(payload, facts, context), dir, empty: true };
  }
  const owner = readSnapshot(join(guard, GUARD_OWNER_FILE));
  const payload: ParsedPayload = owner.ok ? parsePayload('reclaim-guard', owner.snapshot.bytes) : { ok: false, problem: 'empty', owner: {} };
  const facts = owner.ok
    ? { mtimeMs: Math.max(owner.snapshot.mtimeMs, dir.mtimeMs), openForWrite: 'free', recordLock: 'none', readAtMs: owner.snapshot.readAtMs, dev: owner.snapshot.dev } as const
    : { mtimeMs: dir.mtimeMs, openForWrite: 'free', recordLock: 'none', readAtMs: monotonicMs() } as const;
  return { payload, judgement: judgeLock(payload, facts, context), dir };
}

/** Removes a guard judged stale if it is still the directory judged, not one a new reclaimer made since. */
function removeJudged(guard: string, dir: JudgedGuard['dir']): 'removed' | 'changed' | 'failed' {
  if (dir === undefined || !stillSame(guard, dir)) return 'changed';
  releaseGuard(guard);
  return lstatSync(guard, { throwIfNoEntry: false }) === undefined ? 'removed' : 'failed';
}

/** Removes the guard if it is proven stale; true if it is gone. */
export function clearGuardIfStale(guard: string, context: LockContext): boolean {
  const judged = judgeGuard(guard, context);
  return judged.judgement.verdict === 'stale' && removeJudged(guard, judged.dir) === 'removed';
}

/** What the report says of an empty guard kept: OpenClaw's writers of its lock wait on it, and what would clear it. */
const EMPTY_GUARD_KEPT =
  'an empty reclaim guard names no owner, and every OpenClaw writer of its lock waits on it; lockguard clears one only when it predates this container (or this boot) on an exclusive volume. Remove it by hand once no OpenClaw process on this volume is reclaiming that lock';

export function handleGuard(candidate: Candidate, context: LockContext): LockEntry | undefined {
  if (candidate.entryType !== 'directory') return context.onlyOwner ? undefined : unjudgedEntry({ path: candidate.path, kind: 'reclaim-guard' }, 'not-a-regular-file', 'kept');
  const { payload, judgement, dir, empty } = judgeGuard(candidate.path, context);
  if (notOurs(payload, context)) return undefined;
  const entry = entryOf(candidate.path, 'reclaim-guard', payload.owner, judgement, [dir?.mtimeMs], context);
  if (judgement.verdict !== 'stale') return empty && judgement.verdict === 'unknown' ? { ...entry, error: EMPTY_GUARD_KEPT } : entry;
  if (!context.changes) return entry;
  switch (removeJudged(candidate.path, dir)) {
    case 'removed':
      return { ...entry, action: 'reclaimed' };
    case 'changed':
      return { ...entry, action: 'kept', error: 'removed or made anew since it was judged; left for the next sweep' };
    case 'failed':
      return { ...entry, action: 'failed', error: 'could not remove the guard directory' };
  }
}
