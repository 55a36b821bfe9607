// The verdict (docs/design.md, "The verdict"): a pure function of plain data. Proof of life is checked
// first; a lock is stale only on proof that its owner is dead; everything else is unknown.
import { hasExited } from '../model/procfs.js';
import { startMs, startsAgree } from '../model/time.js';
import type { HostLookup, NamespaceModel, ProcessProbe } from '../model/types.js';
import type { ParsedPayload } from '../locks/types.js';
import type { VolumeFacts } from '../volume/types.js';
import type { Judgement, Reason } from './types.js';

export interface Evidence {
  payload: ParsedPayload;
  /** mtime of the lock file (or its newest timestamp, for non-file locks). */
  mtimeMs: number | undefined;
  /** The read-lease probe: someone holds the lock open for writing. */
  openForWrite: 'held-open' | 'free' | 'unknown';
  /** F_GETLK on the lock's companion coordinator, where it has one. */
  recordLock: 'held' | 'free' | 'none' | 'unknown';
  /** /proc facts for owner.pid in our namespace; only looked up when the owner may be ours. */
  process: ProcessProbe | undefined;
  /** The lock names, by pid and starttime, a process lockguard itself started in this namespace (the post-exit sweep). */
  ownChild?: boolean;
  /** The host view's answer for the owner, in every PID namespace; only looked up where the host view applies. */
  host?: HostLookup;
  /**
   * Correlated evidence: the verdict of the lock files that name the same owner (one OpenClaw gateway
   * acquisition: its token, pid and start), judged earlier in this sweep. Given for the gateway-owner row.
   */
  sameOwner?: 'live' | 'stale';
  /** The record names no owner by design: a reclaim guard OpenClaw left, an empty directory. */
  ownerless?: boolean;
}

export interface Policy {
  nowMs: number;
  graceMs: number;
  /** Reported as too-old past this age, never acted on alone. */
  tooOldMs: number;
}

export const TOO_OLD_MS = 30 * 60_000;
/**
 * Times closer than this prove nothing. On one kernel, createdAt (Date.now), mtime (the coarse
 * file clock) and bornAt (10 ms ticks on the boot clock) agree to a few tens of ms; a container
 * restarted a second after its gateway wrote a lock must still see that lock as older.
 */
const CLOCK_SLACK_MS = 250;

type WriterNamespace = 'ours' | 'other' | 'unknown';

/** The probes asked only where the rest of the evidence leaves the lock short of live (judgeProbingLast). */
export interface LaterProbes {
  /** The read-lease probe: a syscall pair on every lock that gets it. */
  openForWrite(): Evidence['openForWrite'];
  /** The host view's answer, where it applies; asked only once the lease shows no holder, so that held locks never scan /proc. */
  host(): HostLookup | undefined;
}

/**
 * The verdict with the held-open probe (and the host view after it) asked last: a lock that the rest of its
 * evidence already proves live (its owner runs here, its coordinator is held, a lock file of its owner is
 * live) stays live whatever those probes say, so they are skipped. Any other lock is probed and judged by
 * `judge`, exactly. So the verdict is always judge's, and so are the reasons, except that a live lock the
 * early look decided names the proof of life it found (live-pid, say) where judge would name held-open or
 * live-elsewhere, which come first in its order.
 */
export function judgeProbingLast(evidence: Omit<Evidence, 'openForWrite' | 'host'>, probes: LaterProbes, model: NamespaceModel, volume: VolumeFacts, policy: Policy): Judgement {
  // Assuming no holder and no host view: a live verdict here comes from proofs that precede the host view in
  // decide, and a holder (held-open) only makes a lock live.
  const early = judge({ ...evidence, openForWrite: 'free' }, model, volume, policy);
  if (early.verdict === 'live') return early;
  const openForWrite = probes.openForWrite();
  const host = openForWrite === 'held-open' ? undefined : probes.host();
  // No holder and no host view: that is the evidence the early look judged.
  if (openForWrite === 'free' && host === undefined) return early;
  return judge({ ...evidence, openForWrite, ...(host === undefined ? {} : { host }) }, model, volume, policy);
}

export function judge(evidence: Evidence, model: NamespaceModel, volume: VolumeFacts, policy: Policy): Judgement {
  const decided = decide(evidence, model, volume, policy);
  // Without the read-lease probe (not the file's owner and no CAP_LEASE, or a filesystem without
  // leases such as NFS) a live holder in another namespace cannot be ruled out: no proof of death.
  const base = decided.verdict === 'stale' && evidence.openForWrite === 'unknown' ? unknown('probe-failed') : decided;
  const lockTime = newestTime(evidence);
  if (base.verdict !== 'stale' && lockTime !== undefined && policy.nowMs - lockTime > policy.tooOldMs) {
    return { verdict: base.verdict, reasons: [...base.reasons, 'too-old'] };
  }
  return base;
}

function decide(evidence: Evidence, model: NamespaceModel, volume: VolumeFacts, policy: Policy): Judgement {
  if (evidence.openForWrite === 'held-open') return live('held-open');
  if (evidence.recordLock === 'held') return live('held-lock');
  if (evidence.sameOwner === 'live') return live('owner-lock-live');
  // A coordinator we could not probe may be held: without that answer there is no proof of death.
  if (evidence.recordLock === 'unknown') return unknown('probe-failed');

  const { payload } = evidence;
  if (!payload.ok) return evidence.ownerless ? judgeOwnerless(evidence, model, volume) : judgeMalformed(payload, evidence, policy);
  const { owner } = payload;
  const pid = owner.pid!;
  // The exact process the lock names is running here: whatever else the lock says, it is not provably dead.
  if (runsHere(pid, owner.starttime, evidence.process)) return live('live-pid');
  const host = hostViewApplies(model, volume) ? evidence.host : undefined;
  if (host === 'match') return live('live-elsewhere');

  const own = judgeByNamespace(pid, evidence, model, volume);
  if (own.verdict !== 'unknown') return own;

  // What the writer's boot, namespace and volume left unknown, two more proofs may settle, the record's own
  // first. From the host, for a record of this boot: no process on the machine can have written it
  // (docs/design.md, "The host view").
  const fromHost = bootOf(evidence, model) === 'this' ? host : undefined;
  if (fromHost === 'absent') return stale('no-such-process');
  // Correlated evidence: a lock file of the same acquisition proved its owner dead, whoever holds this
  // record's DB open. It stands where the host view cannot tell (a process with the pid, or one unread):
  // that lock file named the same owner, with a start where this record may have none.
  if (evidence.sameOwner === 'stale') return stale('owner-lock-stale');
  if (fromHost === undefined) return own;
  return unknown(fromHost === 'pid-exists' ? 'pid-in-use' : 'probe-failed');
}

/** What the writer's boot, its namespace and the volume prove, as seen from our own namespace. */
function judgeByNamespace(pid: number, evidence: Evidence, model: NamespaceModel, volume: VolumeFacts): Judgement {
  const bootProof = bootOf(evidence, model) === 'previous';
  if (bootProof) return volume.mode === 'exclusive' ? stale('previous-boot') : unknown('shared-volume');

  const writerNs = writerNamespace(evidence, model, volume);
  if (writerNs === 'ours') return judgeOwnNamespace(pid, evidence, model);
  if (writerNs === 'other' && volume.mode === 'exclusive' && !(volume.basis === 'presence-lock' && createdAfterBirth(evidence, model))) {
    return stale('previous-namespace');
  }
  if (writerNs === 'unknown' && volume.mode === 'exclusive' && predatesBirth(evidence, model)) {
    return stale('previous-namespace');
  }
  if (volume.mode === 'shared') return unknown('shared-volume');
  if (writerNs === 'other') return unknown('foreign-namespace');
  return unknown(createdAfterBirth(evidence, model) ? 'created-after-namespace' : 'namespace-unproven');
}

/** lockguard sees every process on the machine, and every writer to this volume is one of them. */
export function hostViewApplies(model: NamespaceModel, volume: VolumeFacts): boolean {
  return model.hostView.on && volume.filesystem.local;
}

function judgeMalformed(payload: Extract<ParsedPayload, { ok: false }>, evidence: Evidence, policy: Policy): Judgement {
  // An empty file may be a lock being written right now (create, then write): wait out the grace.
  if (evidence.mtimeMs === undefined) return unknown('probe-failed');
  if (evidence.openForWrite === 'unknown') return unknown('probe-failed');
  const age = policy.nowMs - evidence.mtimeMs;
  if (age <= policy.graceMs) return unknown('malformed-in-grace');
  return payload.problem === 'no-pid' && Object.keys(payload.owner).length > 0 ? unknown('no-owner') : stale('malformed');
}

/**
 * A record without an owner by design: an OpenClaw reclaim guard (fs-safe's `mkdir <lock>.reclaim`,
 * empty, held for the milliseconds of a reclaim; a SIGKILL leaves it, and every later acquirer of its
 * lock then times out). Its age proves nothing, unlike a malformed lock file's: a directory cannot be
 * probed for a holder, fs-safe never times a guard out, and a stopped or frozen reclaimer (SIGSTOP,
 * docker pause, the cgroup freezer) holds its guard for as long as it is stopped. Breaking a live guard
 * reopens the race it closes: two reclaimers, the later one removing the other's new lock. What proves
 * its maker dead is where and when it made it: before this boot, or before our PID namespace was born,
 * on an exclusive volume (its maker's namespace is gone). Anything else is kept.
 */
function judgeOwnerless(evidence: Evidence, model: NamespaceModel, volume: VolumeFacts): Judgement {
  if (evidence.mtimeMs === undefined) return unknown('probe-failed');
  if (volume.mode === 'exclusive' && bootOf(evidence, model) === 'previous') return stale('previous-boot');
  if (volume.mode === 'exclusive' && predatesBirth(evidence, model)) return stale('previous-namespace');
  return unknown(volume.mode === 'shared' ? 'shared-volume' : 'no-owner');
}

/**
 * Which boot of this machine the writer ran under: by its recorded boot id, or, with none recorded, by whether
 * the lock predates the boot. Undefined when the lock carries neither.
 */
function bootOf(evidence: Evidence, model: NamespaceModel): 'this' | 'previous' | undefined {
  const { owner } = evidence.payload;
  if (owner.bootId !== undefined) return owner.bootId === model.bootId ? 'this' : 'previous';
  const lockTime = newestTime(evidence);
  if (lockTime === undefined) return undefined;
  return lockTime < model.bootMs - CLOCK_SLACK_MS ? 'previous' : 'this';
}

function writerNamespace(evidence: Evidence, model: NamespaceModel, volume: VolumeFacts): WriterNamespace {
  if (evidence.ownChild) return 'ours';
  const recorded = evidence.payload.owner.pidNsInode;
  if (recorded !== undefined) {
    if (recorded !== model.pidNs.inode) return 'other';
    // Inodes of dead namespaces are reused: the same inode only means ours if the lock is younger than our namespace.
    return createdAfterBirth(evidence, model) ? 'ours' : 'unknown';
  }
  // Only the operator's word lets us infer that a lock written after our birth came from our own namespace;
  // a presence-lock proof says no other lockguard is here, not that no other writer is (docs/design.md, "Volumes").
  if (volume.mode === 'exclusive' && volume.basis === 'flag' && createdAfterBirth(evidence, model)) return 'ours';
  return 'unknown';
}

function judgeOwnNamespace(pid: number, evidence: Evidence, model: NamespaceModel): Judgement {
  const { owner } = evidence.payload;
  const probe = evidence.process;
  if (!probe || probe.pid !== pid) return unknown('probe-failed');
  if (probe.status === 'invisible') return live('live-pid');
  if (probe.status === 'absent') return stale('dead-pid');

  const facts = probe.facts;
  if (hasExited(facts)) return stale('dead-pid');
  // lockguard writes no locks, and neither did our parent unless the lock carries the parent's own start (PostgreSQL's rule).
  if (pid === model.selfPid) return stale('orphan-self-pid');
  if (pid === model.parentPid && owner.starttime !== facts.starttime) return stale('orphan-self-pid');
  if (owner.starttime !== undefined) return owner.starttime === facts.starttime ? live('live-pid') : stale('recycled-pid');
  if (owner.processStartMs !== undefined) return startsAgree(facts.starttime, owner.processStartMs, model) ? live('live-pid') : stale('recycled-pid');
  // A process younger than the lock cannot have written it.
  const lockTime = newestTime(evidence);
  if (lockTime !== undefined && startMs(facts.starttime, model) > lockTime + CLOCK_SLACK_MS) return stale('recycled-pid');
  return live('live-pid');
}

function runsHere(pid: number, starttime: number | undefined, probe: ProcessProbe | undefined): boolean {
  if (starttime === undefined || probe?.status !== 'alive' || probe.pid !== pid) return false;
  const { facts } = probe;
  return facts.starttime === starttime && !hasExited(facts);
}

/** The newest sign of life the lock carries: its recorded creation and its mtime (owners may renew it). */
function newestTime(evidence: Evidence): number | undefined {
  const created = finiteOrUndefined(evidence.payload.createdAtMs);
  const mtime = finiteOrUndefined(evidence.mtimeMs);
  if (created === undefined) return mtime;
  return mtime === undefined ? created : Math.max(created, mtime);
}

function finiteOrUndefined(time: number | undefined): number | undefined {
  return time !== undefined && Number.isFinite(time) ? time : undefined;
}

function createdAfterBirth(evidence: Evidence, model: NamespaceModel): boolean {
  const lockTime = newestTime(evidence);
  return lockTime === undefined || lockTime >= model.bornAtMs - CLOCK_SLACK_MS;
}

function predatesBirth(evidence: Evidence, model: NamespaceModel): boolean {
  const lockTime = newestTime(evidence);
  return lockTime !== undefined && lockTime < model.bornAtMs - CLOCK_SLACK_MS;
}

const live = (reason: Reason): Judgement => ({ verdict: 'live', reasons: [reason] });
const stale = (reason: Reason): Judgement => ({ verdict: 'stale', reasons: [reason] });
const unknown = (reason: Reason): Judgement => ({ verdict: 'unknown', reasons: [reason] });
