// What every road a lock can travel shares (files, directory locks, guards, lease rows): the context
// it is judged in, the evidence the verdict gets, and the report entry that comes out.
import type { Candidate } from '../locks/discover.js';
import type { Owner, ParsedPayload } from '../locks/types.js';
import type { ProcessTable } from '../model/namespace.js';
import type { NamespaceModel } from '../model/types.js';
import type { ReclaimOutcome } from '../reclaim/file.js';
import type { Action, LockEntry } from '../report/types.js';
import { judge, type Evidence, type Policy } from '../verdict/judge.js';
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
   * sweep's second look if still unchanged (see SETTLE_MS in sweep.ts); 'now': at once, for the
   * post-exit sweep, whose owner lockguard reaped itself.
   */
  reclaim: 'settle' | 'now';
  keepReclaimedDir: string | undefined;
  /** The post-exit sweep: only locks naming this owner (lockguard's child, by pid and starttime). */
  onlyOwner?: { pid: number; starttime: number };
}

/** What was read from the lock itself; the process it names is looked up here. */
export type LockFacts = Pick<Evidence, 'mtimeMs' | 'openForWrite' | 'recordLock'>;

export function judgeLock(payload: ParsedPayload, facts: LockFacts, context: LockContext): Judgement {
  const evidence: Evidence = {
    payload,
    ...facts,
    process: payload.owner.pid === undefined ? undefined : context.processes.probe(payload.owner.pid),
    ownChild: context.onlyOwner !== undefined && ownedBy(payload, context.onlyOwner),
  };
  return judge(evidence, context.model, context.volume, context.policy);
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
  const newest = Math.max(...times.map((time) => time ?? -Infinity));
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
