// One lock file on its road: read it (locks/read.ts), judge it (verdict/), reclaim it (reclaim/).
// The first look decides; a stale lock that its owner may be releasing, or that the host view judged on
// a scan of /proc older than its read, is set aside, and the sweep (sweep.ts) gives it a second look
// before it is reclaimed: after the settle time for the first, on a fresh scan for the second.
import { closeSync, lstatSync } from 'node:fs';
import type { Candidate } from '../locks/discover.js';
import { parsePayload } from '../locks/payload.js';
import { openForWriteOf, openSnapshot, stillSame, type FileSnapshot } from '../locks/read.js';
import type { LockKind, ParsedPayload } from '../locks/types.js';
import { recordLockOf, releaseMayBeInFlight, type CoordinatorState } from '../openclaw/coordinator.js';
import { guardPathOf } from '../reclaim/guard.js';
import { originalOf, reclaimFile, removeLeftover, restoreLeftover } from '../reclaim/file.js';
import type { Action, LockEntry } from '../report/types.js';
import { pausePoint } from '../testing/pause.js';
import type { Judgement } from '../verdict/types.js';
import { handleDirLock } from './dir-lock.js';
import { actionOfReclaim, actionOfRestore, entryOf, judgeLock, notOurs, unjudgedEntry, type LockContext } from './entry.js';
import { clearGuardIfStale, guardOwnerOf, handleGuard } from './guard.js';

/** A stale lock file set aside by the first look: the candidate, and the bytes it was judged on. */
export interface SetAside {
  candidate: Candidate;
  snapshot: FileSnapshot;
  /** What the bytes say: the second look judges it again if the file's stat has not changed since. */
  payload: ParsedPayload;
  /** Its release may be in flight: its second look waits out the settle. Otherwise it waits only for a fresh scan of /proc. */
  settle: boolean;
}

/** The first look's outcome: an entry for the report (none for a lock released meanwhile, or not ours), or a lock set aside for a second look. */
export type FirstLook = { entry: LockEntry | undefined } | { setAside: SetAside };

export function handleCandidate(candidate: Candidate, context: LockContext): FirstLook {
  if (candidate.role === 'guard') return { entry: handleGuard(candidate, context) };
  if (candidate.form === 'directory') return { entry: handleDirLock(candidate, context) };
  const read = readAndJudge(candidate, context);
  if ('done' in read) return { entry: read.done };
  const { entry, snapshot, payload, judgement } = read;
  try {
    if (candidate.role === 'leftover') return { entry: context.changes ? { ...entry, ...repairLeftover(snapshot, judgement, context) } : entry };
    if (judgement.verdict !== 'stale') return { entry };
    const secondLook = secondLookFor(candidate.kind, judgement, read.coordinator, context);
    if (secondLook) return { setAside: { candidate, snapshot, payload, settle: secondLook === 'settle' } };
    return { entry: context.changes ? { ...entry, ...reclaim(snapshot, context) } : entry };
  } finally {
    // Kept open until the reclaim is done: while our fd is open the judged inode cannot be freed, so a new
    // lock created under the name meanwhile cannot get its inode number, and the dev/ino checks stay sound.
    closeSync(read.fd);
  }
}

/**
 * The second look a stale lock's first look calls for, if any. The second look reads and judges the lock
 * again and reclaims it only if it is still stale and unchanged. Two things call for one, and a lock may
 * need both, one or neither:
 * - 'settle', in a sweep that reclaims: a live owner's release may be in flight (releaseMayBeInFlight),
 *   which the second look waits out (SETTLE_MS in sweep.ts);
 * - 'fresh-scan', in inspect and dry runs too: stale by no-such-process, the first look may have answered
 *   from a scan of /proc begun before the lock was read, which proves no absence (a writer started since
 *   may be missing from it). The second look judges it on a scan begun after the read, with no wait: a
 *   gateway lock whose coordinator is free needs no settle, but its proof still needs that scan.
 * A lock that needs the settle gets the fresh scan on the same second look.
 */
function secondLookFor(kind: LockKind, judgement: Judgement, coordinator: CoordinatorState, context: LockContext): 'settle' | 'fresh-scan' | undefined {
  if (context.reclaim !== 'settle') return undefined;
  if (context.changes && releaseMayBeInFlight(kind, coordinator)) return 'settle';
  return judgement.reasons.includes('no-such-process') ? 'fresh-scan' : undefined;
}

/**
 * The second look at a lock set aside: reclaimed only if still stale and byte for byte what the first look judged.
 * Its bytes are read again only if its stat changed: the same stat judged afresh on the first look's bytes, and the
 * reclaim compares the bytes once the lock is renamed, as for every reclaim, and puts back a lock that differs.
 */
export function reclaimSettled(setAside: SetAside, context: LockContext): LockEntry | undefined {
  const { candidate, snapshot: first } = setAside;
  const read = readAndJudge(candidate, context, setAside);
  if ('done' in read) return read.done;
  const { entry, snapshot, judgement } = read;
  try {
    if (judgement.verdict !== 'stale') return entry;
    if (!sameSnapshot(first, snapshot)) return { ...entry, action: 'kept', error: 'changed while it settled; left for the next sweep' };
    if (!context.changes) return entry;
    return { ...entry, ...reclaim(snapshot, context) };
  } finally {
    closeSync(read.fd);
  }
}

type Read = { done: LockEntry | undefined } | { fd: number; snapshot: FileSnapshot; payload: ParsedPayload; entry: LockEntry; judgement: Judgement; coordinator: CoordinatorState };

/**
 * Read the lock without following symlinks, and judge it. `done`: nothing further to do (unreadable, gone, or not ours).
 * The caller closes fd. `first`: what the first look read, on the second look. The verdict of a lock naming an
 * owner token is noted as evidence for the rows naming it.
 */
function readAndJudge(candidate: Candidate, context: LockContext, first?: Pick<SetAside, 'snapshot' | 'payload'>): Read {
  context.owners.forget(candidate.path);
  if (candidate.entryType !== 'file') return { done: notRegular(candidate, context) };
  const opened = openSnapshot(candidate.path, first?.snapshot);
  if (!opened.ok) {
    if (opened.code === 'ENOENT') return { done: undefined }; // Released (or reclaimed by us) while we walked.
    if (opened.notRegular) return { done: notRegular(candidate, context) };
    return { done: context.onlyOwner ? undefined : unjudgedEntry(candidate, 'probe-failed', 'failed', `cannot read (${opened.code})`) };
  }
  const { snapshot, fd } = opened;
  const payload = first && opened.statUnchanged ? first.payload : payloadOf(candidate.kind, snapshot);
  if (notOurs(payload, context)) {
    closeSync(fd);
    return { done: undefined };
  }
  const coordinator = recordLockOf(candidate.kind, snapshot.path);
  const judgement = judgeLock(
    payload,
    {
      mtimeMs: snapshot.mtimeMs,
      openForWrite: () => openForWriteOf(fd),
      recordLock: coordinator,
      // Bytes the first look read too have been there since its read.
      readAtMs: first && sameSnapshot(first.snapshot, snapshot) ? first.snapshot.readAtMs : snapshot.readAtMs,
      dev: snapshot.dev,
      // A lock's first look in a sweep or an inspect: a stale verdict by the host view waits for a second (secondLookFor).
      tentative: first === undefined && candidate.role === 'lock' && context.reclaim === 'settle',
    },
    context,
  );
  if (candidate.role === 'lock') context.owners.note(candidate.path, payload.owner, judgement.verdict);
  const kind = candidate.role === 'leftover' ? 'reclaim-leftover' : candidate.kind;
  const entry = entryOf(candidate.path, kind, payload.owner, judgement, [snapshot.mtimeMs, payload.createdAtMs], context);
  return { fd, snapshot, payload, entry, judgement, coordinator };
}

function payloadOf(kind: Candidate['kind'], snapshot: FileSnapshot): ParsedPayload {
  // A payload longer than we read is no lock OpenClaw wrote: judge it as malformed, not by its first 64 KiB.
  const truncated = snapshot.bytes.length < snapshot.size;
  return truncated ? { ok: false, problem: 'unparseable', owner: {} } : parsePayload(kind, snapshot.bytes);
}

function sameSnapshot(a: FileSnapshot, b: FileSnapshot): boolean {
  return a === b || (a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.bytes.equals(b.bytes));
}

function reclaim(snapshot: FileSnapshot, context: LockContext): { action: Action; error?: string } {
  pausePoint('judged', snapshot.path);
  return actionOfReclaim(
    reclaimFile(snapshot, {
      guardOwner: guardOwnerOf(context.model),
      keepReclaimedDir: context.keepReclaimedDir,
      clearStaleGuard: (guard) => clearGuardIfStale(guard, context),
    }),
  );
}

/**
 * A leftover of an interrupted reclaim: the lock it was, moved aside. Stale → remove it.
 * Otherwise it goes back under its own name, never over a newer lock. While a live
 * reclaimer still holds the lock's guard, the leftover is its work in progress: hands off.
 */
function repairLeftover(snapshot: FileSnapshot, judgement: Judgement, context: LockContext): { action: Action; error?: string } {
  const guard = guardPathOf(originalOf(snapshot.path));
  if (lstatSync(guard, { throwIfNoEntry: false }) !== undefined && !clearGuardIfStale(guard, context)) return { action: 'kept', error: 'a reclaim of this lock is in progress; left for the next sweep' };
  if (!stillSame(snapshot.path, snapshot)) return { action: 'kept', error: 'changed while judged; left for the next sweep' };
  return judgement.verdict === 'stale' ? actionOfReclaim(removeLeftover(snapshot.path)) : actionOfRestore(restoreLeftover(snapshot.path));
}

function notRegular(candidate: Candidate, context: LockContext): LockEntry | undefined {
  return context.onlyOwner ? undefined : unjudgedEntry(candidate, 'not-a-regular-file', 'kept');
}
