// Reclaim guards (<lock>.reclaim) found on the walk or in a reclaim's way: judged like locks, on
// the owner.json lockguard writes into its own; OpenClaw's carry none and are judged by their age.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Candidate } from '../locks/discover.js';
import { parsePayload } from '../locks/payload.js';
import { readSnapshot } from '../locks/read.js';
import type { ParsedPayload } from '../locks/types.js';
import type { NamespaceModel } from '../model/types.js';
import { GUARD_OWNER_FILE, releaseGuard } from '../reclaim/guard.js';
import type { LockEntry } from '../report/types.js';
import type { Judgement } from '../verdict/types.js';
import { entryOf, judgeLock, notOurs, unjudgedEntry, type LockContext } from './entry.js';

/** lockguard's identity in the guards it takes, so a guard left by a killed lockguard can be judged like a lock. */
export function guardOwnerOf(model: NamespaceModel): string {
  return JSON.stringify({ pid: model.selfPid, starttime: model.selfStarttime, createdAt: new Date().toISOString(), bootId: model.bootId, pidNsInode: model.pidNs.inode });
}

/**
 * A guard is stale only on the same proofs as a lock: its owner.json names a dead lockguard,
 * or (no owner file: OpenClaw's own guards) it is empty and older than the grace.
 */
function judgeGuard(guard: string, context: LockContext): { payload: ParsedPayload; judgement: Judgement; mtimeMs?: number } {
  let names: string[];
  let mtimeMs: number;
  try {
    mtimeMs = lstatSync(guard).mtimeMs;
    names = readdirSync(guard);
  } catch {
    return { payload: { ok: false, problem: 'unparseable', owner: {} }, judgement: { verdict: 'unknown', reasons: ['probe-failed'] } };
  }
  if (names.some((name) => name !== GUARD_OWNER_FILE)) {
    return { payload: { ok: false, problem: 'unparseable', owner: {} }, judgement: { verdict: 'unknown', reasons: ['no-owner'] }, mtimeMs };
  }
  const owner = names.length === 0 ? undefined : readSnapshot(join(guard, GUARD_OWNER_FILE));
  const payload: ParsedPayload = owner?.ok ? parsePayload('reclaim-guard', owner.snapshot.bytes) : { ok: false, problem: 'empty', owner: {} };
  const facts = owner?.ok
    ? { mtimeMs: Math.max(owner.snapshot.mtimeMs, mtimeMs), openForWrite: 'free', recordLock: 'none', readAtMs: owner.snapshot.readAtMs, dev: owner.snapshot.dev } as const
    : { mtimeMs, openForWrite: 'free', recordLock: 'none', readAtMs: performance.now() } as const;
  return { payload, judgement: judgeLock(payload, facts, context), mtimeMs };
}

/** Removes the guard if it is proven stale; true if it is gone. */
export function clearGuardIfStale(guard: string, context: LockContext): boolean {
  if (judgeGuard(guard, context).judgement.verdict !== 'stale') return false;
  releaseGuard(guard);
  return lstatSync(guard, { throwIfNoEntry: false }) === undefined;
}

export function handleGuard(candidate: Candidate, context: LockContext): LockEntry | undefined {
  if (candidate.entryType !== 'directory') return context.onlyOwner ? undefined : unjudgedEntry({ path: candidate.path, kind: 'reclaim-guard' }, 'not-a-regular-file', 'kept');
  const { payload, judgement, mtimeMs } = judgeGuard(candidate.path, context);
  if (notOurs(payload, context)) return undefined;
  const entry = entryOf(candidate.path, 'reclaim-guard', payload.owner, judgement, [mtimeMs], context);
  if (judgement.verdict !== 'stale' || !context.changes) return entry;
  releaseGuard(candidate.path);
  return lstatSync(candidate.path, { throwIfNoEntry: false }) === undefined
    ? { ...entry, action: 'reclaimed' }
    : { ...entry, action: 'failed', error: 'could not remove the guard directory' };
}
