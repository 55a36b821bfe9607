// A directory lock (mkdir is the lock, owner.json says who holds it; OpenClaw's plugin-runtime-deps
// locks) on its road: read (locks/read.ts), judged like any lock on owner.json, reclaimed as a whole
// directory (reclaim/dir-lock.ts).
import type { Candidate } from '../locks/discover.js';
import { parsePayload } from '../locks/payload.js';
import { onlyOwnerFile, snapshotDirLock, type DirLockSnapshot } from '../locks/read.js';
import type { ParsedPayload } from '../locks/types.js';
import { reclaimDirLock, removeDirLock, restoreDirLock } from '../reclaim/dir-lock.js';
import type { LockEntry } from '../report/types.js';
import { pausePoint } from '../testing/pause.js';
import type { Judgement } from '../verdict/types.js';
import { actionOfReclaim, actionOfRestore, entryOf, judgeLock, notOurs, unjudgedEntry, type LockContext } from './entry.js';

export function handleDirLock(candidate: Candidate, context: LockContext): LockEntry | undefined {
  const kind = candidate.role === 'leftover' ? 'reclaim-leftover' : candidate.kind;
  const opened = candidate.entryType === 'directory' ? snapshotDirLock(candidate.path) : { ok: false as const, code: 'ENOTDIR', notDirectory: true };
  if (!opened.ok) {
    if (opened.code === 'ENOENT' || context.onlyOwner) return undefined; // Released while we walked.
    return opened.notDirectory
      ? unjudgedEntry({ path: candidate.path, kind }, 'not-a-regular-file', 'kept', 'not a directory')
      : unjudgedEntry({ path: candidate.path, kind }, 'probe-failed', 'failed', `cannot read (${opened.code})`);
  }
  const { snapshot } = opened;
  const payload: ParsedPayload = snapshot.owner === undefined ? { ok: false, problem: 'empty', owner: {} } : parsePayload(candidate.kind, snapshot.owner.bytes);
  if (notOurs(payload, context)) return undefined;
  const judgement = judgeDirLock(snapshot, payload, context);
  const entry = entryOf(candidate.path, kind, payload.owner, judgement, [snapshot.mtimeMs, snapshot.owner?.mtimeMs, payload.createdAtMs], context);
  if (!context.changes) return entry;
  if (judgement.verdict !== 'stale') return candidate.role === 'leftover' ? { ...entry, ...actionOfRestore(restoreDirLock(candidate.path)) } : entry;
  pausePoint('judged', candidate.path);
  const outcome = candidate.role === 'leftover' ? removeDirLock(snapshot) : reclaimDirLock(snapshot, context.keepReclaimedDir);
  return { ...entry, ...actionOfReclaim(outcome) };
}

function judgeDirLock(snapshot: DirLockSnapshot, payload: ParsedPayload, context: LockContext): Judgement {
  // Anything besides owner.json is an install in progress or someone's files: never ours to remove.
  if (snapshot.entries.length > 0 && !onlyOwnerFile(snapshot)) return { verdict: 'unknown', reasons: ['no-owner'] };
  return judgeLock(
    payload,
    {
      mtimeMs: Math.max(snapshot.mtimeMs, snapshot.owner?.mtimeMs ?? -Infinity),
      // A directory cannot be leased; an absent owner.json is an acquire in progress, covered by the grace on the dir's mtime.
      openForWrite: snapshot.owner?.openForWrite ?? 'free',
      recordLock: 'none',
      readAtMs: snapshot.readAtMs,
      dev: snapshot.dev,
    },
    context,
  );
}
