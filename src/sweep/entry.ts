// What every road a lock can travel shares (files, directory locks, guards, lease rows): the context
// it is judged in, the evidence the verdict gets, and the report entry that comes out.
import type { Candidate } from '../locks/discover.js';
import type { Owner, ParsedPayload } from '../locks/types.js';
import type { HostIndex } from '../model/host-index.js';
import type { ProcessTable } from '../model/namespace.js';
import type { HostLookup, NamespaceModel } from '../model/types.js';
import type { OwnerLedger } from '../openclaw/same-owner.js';
import type { ReclaimOutcome } from '../reclaim/file.js';
import type { Action, LockEntry } from '../report/types.js';
import { judge, judgeProbingLast, type Evidence, type Policy } from '../verdict/judge.js';
import type { Judgement, Reason } from '../verdict/types.js';
import type { VolumeFacts } from '../volume/types.js';

export interface LockContext {
  model: NamespaceModel;
  processes: ProcessTable;
  volume: VolumeFacts;
  policy: Policy;
  /** False for inspect and dry runs: judge, never touch. */
  changes: boolean;
  /**
   * How a stale lock file is reclaimed. 'settle': set aside on the first look and reclaimed by the
   * sweep's second look if still unchanged (see SETTLE_MS in sweep.ts), unless its kind rules out a
   * release in flight and no host-view proof awaits a fresh scan (secondLookFor in lock.ts); 'now': at
   * once, for the post-exit sweep, whose owner lockguard reaped itself.
   */
  reclaim: 'settle' | 'now';
  keepReclaimedDir: string | undefined;
  /** The post-exit sweep: only locks naming this owner (lockguard's child, by pid and starttime). */
  onlyOwner?: { pid: number; starttime: number };
  /** The index of every process on the machine, where the host view applies to this state dir; `dev` is the state dir's device. */
  host?: { index: HostIndex; dev: number };
  /** What this state dir's lock files proved about the owners OpenClaw names by token: evidence for its rows. */
  owners: OwnerLedger;
}

/** What was read from the lock itself (and, for a row, what its owner's lock files proved); the process it names is looked up here. */
export interface LockFacts extends Pick<Evidence, 'mtimeMs' | 'recordLock' | 'sameOwner' | 'ownerless'> {
  /** The read-lease probe's answer, or the probe itself, asked only where the rest of the evidence leaves the lock short of live (judgeProbingLast). */
  openForWrite: Evidence['openForWrite'] | (() => Evidence['openForWrite']);
  /** monotonicMs() once the judged bytes had been read: only a scan of /proc begun later proves their writer absent. */
  readAtMs: number;
  /** The lock's device: a lock on another filesystem mounted below the state dir gets no host view. */
  dev?: number;
  /** A first look whose stale verdict a second look confirms: the host view may answer from an older scan. */
  tentative?: boolean;
}

export function judgeLock(payload: ParsedPayload, facts: LockFacts, context: LockContext): Judgement {
  const evidence: Omit<Evidence, 'openForWrite' | 'host'> = {
    payload,
    mtimeMs: facts.mtimeMs,
    recordLock: facts.recordLock,
    ...(facts.sameOwner ? { sameOwner: facts.sameOwner } : {}),
    ...(facts.ownerless ? { ownerless: true } : {}),
    process: payload.owner.pid === undefined ? undefined : context.processes.probe(payload.owner.pid),
    ownChild: context.onlyOwner !== undefined && ownedBy(payload, context.onlyOwner),
  };
  const { model, volume, policy } = context;
  const { openForWrite } = facts;
  if (typeof openForWrite === 'function') {
    return judgeProbingLast(evidence, { openForWrite, host: () => hostLookupOf(payload, facts, context) }, model, volume, policy);
  }
  // Probed already (a directory lock's owner.json, a lease DB): judged on everything.
  const host = openForWrite === 'held-open' ? undefined : hostLookupOf(payload, facts, context);
  return judge({ ...evidence, openForWrite, ...(host === undefined ? {} : { host }) }, model, volume, policy);
}

/** The host view's answer for the lock's owner; none where it does not apply, or where the lock's coordinator (or its owner's lock file) proves life. */
function hostLookupOf(payload: ParsedPayload, facts: LockFacts, context: LockContext): HostLookup | undefined {
  const { host } = context;
  const pid = payload.owner.pid;
  if (host === undefined || !payload.ok || pid === undefined) return undefined;
  if (facts.recordLock === 'held' || facts.sameOwner === 'live') return undefined;
  if (facts.dev !== undefined && facts.dev !== host.dev) return undefined;
  return host.index.lookup({ ...payload.owner, pid }, facts.readAtMs, facts.tentative ?? false);
}

/** Only pid and starttime together identify our child: a pid alone may be another namespace's. */
function ownedBy(payload: ParsedPayload, owner: { pid: number; starttime: number }): boolean {
  return payload.owner.pid === owner.pid && payload.owner.starttime === owner.starttime;
}

/** Skipped by the post-exit sweep: a lock that does not name lockguard's child is not its business. */
export function notOurs(payload: ParsedPayload, context: LockContext): boolean {
  return context.onlyOwner !== undefined && !ownedBy(payload, context.onlyOwner);
}

/** The report entry of a judged lock, its age taken from the newest of `times` (epoch ms). */
export function entryOf(path: string, kind: LockEntry['kind'], owner: Owner, judgement: Judgement, times: (number | undefined)[], context: LockContext): LockEntry {
  let newest = -Infinity;
  for (const time of times) if (time !== undefined) newest = Math.max(newest, time);
  return {
    path,
    kind,
    owner,
    ...judgement,
    action: actionFor(judgement, context),
    ...(Number.isFinite(newest) ? { ageMs: Math.round(context.policy.nowMs - newest) } : {}),
  };
}

/** The entry of a lock that could not be judged: `reason` says why, and it is kept (or failed, with `error`). */
export function unjudgedEntry(candidate: Pick<Candidate, 'path'> & { kind: LockEntry['kind'] }, reason: Reason, action: 'kept' | 'failed', error?: string): LockEntry {
  return { path: candidate.path, kind: candidate.kind, owner: {}, verdict: 'unknown', reasons: [reason], action, ...(error === undefined ? {} : { error }) };
}

function actionFor(judgement: Judgement, context: LockContext): Action {
  if (judgement.verdict !== 'stale') return 'kept';
  return context.changes ? 'reclaimed' : 'would-reclaim';
}

/** A leftover of an interrupted reclaim, put back under its own name (or not), as the report's action. */
export function actionOfRestore(outcome: { ok: true; original: string } | { ok: false; original: string; code: string }): { action: Action; error: string } {
  return outcome.ok ? { action: 'kept', error: `restored to ${outcome.original}` } : { action: 'failed', error: `cannot restore to ${outcome.original} (${outcome.code}); left in place` };
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
