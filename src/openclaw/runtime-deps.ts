// plugin-runtime-deps directory locks, from discovery to reclaim: judged like any lock
// (owner.json is the payload), reclaimed as a whole directory (dir-lock.ts).
import type { Candidate } from '../locks/discover.js';
import { parsePayload } from '../locks/payload.js';
import type { ParsedPayload } from '../locks/types.js';
import type { Action, LockEntry } from '../report/types.js';
import { actionFor, actionOfReclaim, ownedBy, type LockContext } from '../sweep/lock.js';
import { pausePoint } from '../testing/pause.js';
import { judge, type Evidence } from '../verdict/judge.js';
import type { Judgement } from '../verdict/types.js';
import { onlyOwnerFile, reclaimDirLock, removeDirLock, restoreDirLock, snapshotDirLock, type DirLockSnapshot } from './dir-lock.js';

export function handleDirLock(candidate: Candidate, context: LockContext): LockEntry | undefined {
  const kind = candidate.role === 'leftover' ? 'reclaim-leftover' : candidate.kind;
  const opened = candidate.entryType === 'directory' ? snapshotDirLock(candidate.path) : { ok: false as const, code: 'ENOTDIR', notDirectory: true };
  if (!opened.ok) {
    if (opened.code === 'ENOENT' || context.onlyOwner) return undefined; // Released while we walked.
    const reason = opened.notDirectory ? 'not-a-regular-file' : 'probe-failed';
    return { path: candidate.path, kind, owner: {}, verdict: 'unknown', reasons: [reason], action: opened.notDirectory ? 'kept' : 'failed', ...(opened.notDirectory ? { error: 'not a directory' } : { error: `cannot read (${opened.code})` }) };
  }
  const { snapshot } = opened;
  const payload = payloadOf(snapshot);
  if (context.onlyOwner && !ownedBy(payload, context.onlyOwner)) return undefined;
  const judgement = judgeDirLock(snapshot, payload, context);
  const newest = Math.max(snapshot.mtimeMs, snapshot.owner?.mtimeMs ?? -Infinity, payload.createdAtMs ?? -Infinity);
  const entry: LockEntry = { path: candidate.path, kind, owner: payload.owner, ...judgement, action: actionFor(judgement, context), ageMs: Math.round(context.policy.nowMs - newest) };
  if (!context.changes) return entry;
  if (judgement.verdict !== 'stale') return candidate.role === 'leftover' ? { ...entry, ...restore(candidate.path) } : entry;
  pausePoint('judged', candidate.path);
  const outcome = candidate.role === 'leftover' ? removeDirLock(snapshot) : reclaimDirLock(snapshot, context.keepReclaimedDir);
  return { ...entry, ...actionOfReclaim(outcome) };
}

function payloadOf(snapshot: DirLockSnapshot): ParsedPayload {
  return snapshot.owner === undefined ? { ok: false, problem: 'empty', owner: {} } : parsePayload('openclaw-runtime-deps', snapshot.owner.bytes);
}

function judgeDirLock(snapshot: DirLockSnapshot, payload: ParsedPayload, context: LockContext): Judgement {
  // Anything besides owner.json is an install in progress or someone's files: never ours to remove.
  if (snapshot.entries.length > 0 && !onlyOwnerFile(snapshot)) return { verdict: 'unknown', reasons: ['no-owner'] };
  const evidence: Evidence = {
    payload,
    mtimeMs: Math.max(snapshot.mtimeMs, snapshot.owner?.mtimeMs ?? -Infinity),
    // A directory cannot be leased; an absent owner.json is an acquire in progress, covered by the grace on the dir's mtime.
    openForWrite: snapshot.owner?.openForWrite ?? 'free',
    recordLock: 'none',
    process: payload.owner.pid === undefined ? undefined : context.processes.probe(payload.owner.pid),
    ...(context.onlyOwner ? { ownChild: true } : {}),
  };
  return judge(evidence, context.model, context.volume, context.policy);
}

/** A leftover whose owner is not proven dead goes back under its name, never over a newer lock. */
function restore(leftover: string): { action: Action; error?: string } {
  const outcome = restoreDirLock(leftover);
  return outcome.ok ? { action: 'kept', error: `restored to ${outcome.original}` } : { action: 'failed', error: `cannot restore to ${outcome.original} (${outcome.code}); left in place` };
}
