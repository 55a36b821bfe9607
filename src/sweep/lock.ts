// One candidate, start to finish: read it safely, gather evidence, judge, act.
import { closeSync, linkSync, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Candidate } from '../locks/discover.js';
import { LEFTOVER_INFIX } from '../locks/discover.js';
import { parsePayload, type PayloadKind } from '../locks/payload.js';
import type { ParsedPayload } from '../locks/types.js';
import { probeWriteOpen } from '../kernel/ffi.js';
import type { ProcessTable } from '../model/namespace.js';
import type { NamespaceModel } from '../model/types.js';
import { GUARD_OWNER_FILE, guardPathOf, openSnapshot, readSnapshot, reclaimFile, releaseGuard, stillSame, type FileSnapshot, type ReclaimOutcome } from '../reclaim/reclaim.js';
import type { Action, LockEntry } from '../report/types.js';
import { recordLockOf } from '../openclaw/coordinator.js';
import { handleDirLock } from '../openclaw/runtime-deps.js';
import { pausePoint } from '../testing/pause.js';
import { judge, type Evidence, type Policy } from '../verdict/judge.js';
import type { VolumeFacts } from '../volume/types.js';
import type { Judgement } from '../verdict/types.js';

export interface LockContext {
  model: NamespaceModel;
  processes: ProcessTable;
  volume: VolumeFacts;
  policy: Policy;
  /** False for inspect and dry runs: judge, never touch. */
  changes: boolean;
  keepReclaimedDir: string | undefined;
  onlyOwner?: { pid: number; starttime: number };
  /**
   * Stale locks set aside on the first look, to be reclaimed on a second look if they are still
   * byte for byte what was judged (see settleAndReclaim in sweep.ts). Absent when no settling is needed.
   */
  unsettled?: Map<string, { candidate: Candidate; snapshot: FileSnapshot }>;
  /** The second look: what each set-aside lock was on the first. */
  settled?: Map<string, FileSnapshot>;
}

function sameSnapshot(a: FileSnapshot, b: FileSnapshot): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.bytes.equals(b.bytes);
}

export function handleCandidate(candidate: Candidate, context: LockContext): LockEntry | undefined {
  if (candidate.role === 'guard') return handleGuard(candidate, context);
  if (candidate.kind === 'openclaw-runtime-deps') return handleDirLock(candidate, context);
  if (candidate.entryType !== 'file') return notRegular(candidate, context);
  const opened = openSnapshot(candidate.path);
  if (!opened.ok) {
    if (opened.code === 'ENOENT') return undefined; // Released (or reclaimed by us) while we walked.
    if (opened.notRegular) return notRegular(candidate, context);
    return unreadable(candidate, opened.code, context);
  }
  try {
    const judged: { payload: ParsedPayload; judgement: Judgement } | undefined = judgeFile(opened.snapshot, candidate.kind, opened.fd, context);
    if (!judged) return undefined;
    const { payload, judgement } = judged;
    const entry = entryOf(candidate, payload, judgement, opened.snapshot, context);
    if (!context.changes) return entry;
    if (candidate.role === 'leftover') return { ...entry, ...repairLeftover(opened.snapshot, judgement, context) };
    if (judgement.verdict !== 'stale') return entry;
    if (context.unsettled) {
      context.unsettled.set(candidate.path, { candidate, snapshot: opened.snapshot });
      return undefined;
    }
    const first = context.settled?.get(candidate.path);
    if (first && !sameSnapshot(first, opened.snapshot)) return { ...entry, action: 'kept', error: 'changed while it settled; left for the next sweep' };
    pausePoint('judged', candidate.path);
    return { ...entry, ...reclaim(opened.snapshot, context) };
  } finally {
    // Kept open until the reclaim is done: while our fd is open the judged inode cannot be freed, so a new
    // lock created under the name meanwhile cannot get its inode number, and the dev/ino checks stay sound.
    closeSync(opened.fd);
  }
}

function openForWriteOf(fd: number): Evidence['openForWrite'] {
  const probe = probeWriteOpen(fd);
  return probe === 'held-open' || probe === 'free' ? probe : 'unknown';
}

/** Undefined when the post-exit sweep is looking for another owner's locks. */
function judgeFile(snapshot: FileSnapshot, kind: PayloadKind, fd: number, context: LockContext) {
  // A payload longer than we read is no lock OpenClaw wrote: judge it as malformed, not by its first 64 KiB.
  const truncated = snapshot.bytes.length < snapshot.size;
  const payload: ParsedPayload = truncated ? { ok: false, problem: 'unparseable', owner: {} } : parsePayload(kind, snapshot.bytes);
  if (context.onlyOwner && !ownedBy(payload, context.onlyOwner)) return undefined;
  const evidence: Evidence = {
    payload,
    mtimeMs: snapshot.mtimeMs,
    openForWrite: openForWriteOf(fd),
    recordLock: recordLockOf(kind, snapshot.path),
    process: payload.owner.pid === undefined ? undefined : context.processes.probe(payload.owner.pid),
    ownChild: context.onlyOwner !== undefined,
  };
  return { payload, judgement: judge(evidence, context.model, context.volume, context.policy) };
}

/** Only pid and starttime together identify our child: a pid alone may be another namespace's. */
export function ownedBy(payload: ParsedPayload, owner: { pid: number; starttime: number }): boolean {
  return payload.owner.pid === owner.pid && payload.owner.starttime === owner.starttime;
}

function reclaim(snapshot: FileSnapshot, context: LockContext): { action: Action; error?: string } {
  return actionOfReclaim(
    reclaimFile(snapshot, {
      guardOwner: guardOwnerOf(context.model),
      keepReclaimedDir: context.keepReclaimedDir,
      clearStaleGuard: (guard) => clearGuardIfStale(guard, context),
    }),
  );
}

/** A reclaim's outcome (of a file or a directory lock) as the report's action. */
export function actionOfReclaim(outcome: ReclaimOutcome): { action: Action; error?: string } {
  switch (outcome.status) {
    case 'reclaimed':
      return { action: 'reclaimed' };
    case 'vanished':
      return { action: 'kept', error: 'released by its owner before it could be reclaimed' };
    case 'guarded':
      return { action: 'kept', error: 'another reclaimer holds its .reclaim guard; left for the next sweep' };
    case 'race':
    case 'failed':
      return { action: 'failed', error: outcome.detail };
  }
}

/** lockguard's identity in the guards it takes, so a guard left by a killed lockguard can be judged like a lock. */
function guardOwnerOf(model: NamespaceModel): string {
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
  const evidence: Evidence = {
    payload,
    mtimeMs: owner?.ok ? Math.max(owner.snapshot.mtimeMs, mtimeMs) : mtimeMs,
    openForWrite: 'free',
    recordLock: 'none',
    process: payload.owner.pid === undefined ? undefined : context.processes.probe(payload.owner.pid),
  };
  return { payload, judgement: judge(evidence, context.model, context.volume, context.policy), mtimeMs };
}

function clearGuardIfStale(guard: string, context: LockContext): boolean {
  if (judgeGuard(guard, context).judgement.verdict !== 'stale') return false;
  releaseGuard(guard);
  return lstatSync(guard, { throwIfNoEntry: false }) === undefined;
}

function handleGuard(candidate: Candidate, context: LockContext): LockEntry | undefined {
  if (candidate.entryType !== 'directory') return notRegular({ ...candidate, kind: 'reclaim-guard' }, context);
  const { payload, judgement, mtimeMs } = judgeGuard(candidate.path, context);
  if (context.onlyOwner && !ownedBy(payload, context.onlyOwner)) return undefined;
  const entry: LockEntry = {
    path: candidate.path,
    kind: 'reclaim-guard',
    owner: payload.owner,
    ...judgement,
    action: actionFor(judgement, context),
    ...(mtimeMs === undefined ? {} : { ageMs: Math.round(context.policy.nowMs - mtimeMs) }),
  };
  if (judgement.verdict !== 'stale' || !context.changes) return entry;
  releaseGuard(candidate.path);
  return lstatSync(candidate.path, { throwIfNoEntry: false }) === undefined
    ? { ...entry, action: 'reclaimed' }
    : { ...entry, action: 'failed', error: 'could not remove the guard directory' };
}

/**
 * A leftover of an interrupted reclaim: the lock it was, moved aside. Stale → remove it.
 * Otherwise it goes back under its own name, never over a newer lock. While a live
 * reclaimer still holds the lock's guard, the leftover is its work in progress: hands off.
 */
function repairLeftover(snapshot: FileSnapshot, judgement: Judgement, context: LockContext): { action: Action; error?: string } {
  const original = snapshot.path.slice(0, snapshot.path.lastIndexOf(LEFTOVER_INFIX));
  const guard = guardPathOf(original);
  if (lstatSync(guard, { throwIfNoEntry: false }) !== undefined && !clearGuardIfStale(guard, context)) {
    return { action: 'kept', error: 'a reclaim of this lock is in progress; left for the next sweep' };
  }
  if (!stillSame(snapshot.path, snapshot)) return { action: 'kept', error: 'changed while judged; left for the next sweep' };
  return judgement.verdict === 'stale' ? removeLeftover(snapshot.path) : restoreLeftover(snapshot.path, original);
}

function removeLeftover(path: string): { action: Action; error?: string } {
  try {
    unlinkSync(path);
    return { action: 'reclaimed' };
  } catch (error) {
    return { action: 'failed', error: `cannot remove (${(error as NodeJS.ErrnoException).code})` };
  }
}

function restoreLeftover(path: string, original: string): { action: Action; error?: string } {
  try {
    linkSync(path, original);
    unlinkSync(path);
    return { action: 'kept', error: `restored to ${original}` };
  } catch (error) {
    return { action: 'failed', error: `cannot restore to ${original} (${(error as NodeJS.ErrnoException).code}); left in place` };
  }
}

function entryOf(candidate: Candidate, payload: ParsedPayload, judgement: Judgement, snapshot: FileSnapshot, context: LockContext): LockEntry {
  const newest = Math.max(snapshot.mtimeMs, 'createdAtMs' in payload && payload.createdAtMs !== undefined ? payload.createdAtMs : -Infinity);
  return {
    path: candidate.path,
    kind: candidate.role === 'leftover' ? 'reclaim-leftover' : candidate.kind,
    owner: payload.owner,
    ...judgement,
    action: actionFor(judgement, context),
    ageMs: Math.round(context.policy.nowMs - newest),
  };
}

export function actionFor(judgement: Judgement, context: LockContext): Action {
  if (judgement.verdict !== 'stale') return 'kept';
  return context.changes ? 'reclaimed' : 'would-reclaim';
}

function notRegular(candidate: Candidate, context: LockContext): LockEntry | undefined {
  if (context.onlyOwner) return undefined;
  return { path: candidate.path, kind: candidate.kind, owner: {}, verdict: 'unknown', reasons: ['not-a-regular-file'], action: 'kept' };
}

function unreadable(candidate: Candidate, code: string, context: LockContext): LockEntry | undefined {
  if (context.onlyOwner) return undefined;
  return {
    path: candidate.path,
    kind: candidate.kind,
    owner: {},
    verdict: 'unknown',
    reasons: ['probe-failed'],
    action: 'failed',
    error: `cannot read (${code})`,
  };
}
