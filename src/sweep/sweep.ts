// The sweep: for each state dir, prove the volume's mode, walk its locks, judge each one and
// reclaim those proven stale. Stops only between locks, so a signal never leaves a half-done reclaim.
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from '../cli/options.js';
import { HostIndex } from '../model/host-index.js';
import { buildModel, ProcessTable } from '../model/namespace.js';
import type { NamespaceModel } from '../model/types.js';
import { discover, SAFE_POINT, type LockPattern } from '../locks/discover.js';
import { OPENCLAW_PATTERNS } from '../openclaw/kinds.js';
import type { LockEntry, Report, VolumeEntry } from '../report/types.js';
import { readFilesystem } from '../volume/filesystem.js';
import { inspectPresence, takePresence, type Presence } from '../volume/presence.js';
import type { VolumeFacts } from '../volume/types.js';
import { hostViewApplies, TOO_OLD_MS, type Policy } from '../verdict/judge.js';
import { sweepLeases } from '../openclaw/leases.js';
import { OwnerLedger } from '../openclaw/same-owner.js';
import { pausePoint } from '../testing/pause.js';
import type { LockContext } from './entry.js';
import { handleCandidate, reclaimSettled, type SetAside } from './lock.js';
import { Tally } from './summary.js';
import { monotonicMs } from '../model/time.js';

export interface SweepOptions {
  mode: Report['mode'];
  signal?: AbortSignal;
  /** The post-exit sweep: only locks naming this owner. */
  onlyOwner?: { pid: number; starttime: number };
  /** Run mode keeps the presence locks (LOCK_SH) for its whole life. */
  keepPresence?: boolean;
  /** Reuse a model built earlier in this process (the post-exit sweep). */
  model?: NamespaceModel;
  /**
   * What becomes of each lock's entry: 'list' keeps them in the report (inspect), a function takes each as
   * it comes (--json writes it out), 'count' (the default) only counts them. Only 'list' grows with the locks.
   */
  locks?: 'count' | 'list' | ((entry: LockEntry) => void);
}

export interface SweepResult {
  report: Report;
  presence: { release(): void };
}

export async function sweep(config: Config, options: SweepOptions, logger: Logger): Promise<SweepResult> {
  const started = monotonicMs();
  const model = options.model ?? buildModel(options.mode === 'inspect' ? 'live' : 'init');
  const run: SweepRun = {
    config,
    options,
    logger,
    model,
    processes: new ProcessTable(model),
    hostIndex: new HostIndex(model),
    patterns: [...OPENCLAW_PATTERNS, ...config.lockGlobs.map((glob) => ({ glob, kind: 'generic' as const, form: 'file' as const }))],
    changes: options.mode !== 'inspect' && !config.dryRun,
    tally: new Tally(options.locks ?? 'count'),
    held: [],
    volumes: [],
    problems: [],
  };
  try {
    for (const stateDir of config.stateDirs) {
      if (options.signal?.aborted) break;
      await testDelay();
      await sweepStateDir(stateDir, run);
    }
  } finally {
    if (!options.keepPresence) for (const presence of run.held) presence.release();
  }

  const interrupted = options.signal?.aborted ? String(options.signal.reason ?? 'aborted') : undefined;
  const report: Report = {
    version: 1,
    mode: options.mode,
    dryRun: config.dryRun,
    namespace: model,
    volumes: run.volumes,
    locks: run.tally.entries,
    summary: run.tally.summary(run.problems.length, monotonicMs() - started),
    ...(run.problems.length ? { problems: run.problems } : {}),
    ...(interrupted ? { interrupted } : {}),
  };
  // Kept locks are logged one by one only at debug (a shared volume may keep thousands); this line counts them.
  logger.info({ ...report.summary, kept: run.tally.kept, ...(interrupted ? { interrupted } : {}) }, options.onlyOwner ? 'post-exit sweep done' : `${options.mode} done`);
  return { report, presence: { release: () => run.held.forEach((presence) => presence.release()) } };
}

/** What one sweep carries from state dir to state dir. */
interface SweepRun {
  config: Config;
  options: SweepOptions;
  logger: Logger;
  model: NamespaceModel;
  processes: ProcessTable;
  /** Every process on the machine, scanned on first need: used where the host view applies. */
  hostIndex: HostIndex;
  patterns: LockPattern[];
  changes: boolean;
  tally: Tally;
  held: Presence[];
  volumes: VolumeEntry[];
  problems: { path: string; message: string }[];
}

/** One state dir: prove the volume's mode, walk and judge its locks, settle and reclaim, then its lease rows. */
async function sweepStateDir(stateDir: string, run: SweepRun): Promise<void> {
  const { config, options, logger } = run;
  const unusable = checkStateDir(stateDir);
  if (unusable === 'missing') {
    logger.warn({ stateDir }, `state dir ${stateDir} does not exist; nothing to sweep there`);
    return;
  }
  if (unusable) {
    reportProblem(run, { path: stateDir, message: unusable });
    return;
  }
  const presence = run.changes ? takePresence(stateDir, config.volume) : inspectPresence(stateDir, config.volume);
  run.held.push(presence);
  if (presence.warning) logger.warn({ stateDir }, presence.warning);
  const volume: VolumeFacts = { ...presence.facts, filesystem: readFilesystem(stateDir) };
  run.volumes.push({ stateDir, ...volume });
  const context: LockContext = {
    model: run.model,
    processes: run.processes,
    volume,
    policy: policyOf(config),
    changes: run.changes,
    // Only the post-exit sweep knows its owner died: lockguard reaped that child itself. Every other
    // stale lock's owner may live out of sight (another namespace, or a volume declared exclusive that
    // isn't), and settles unless its kind rules out a release in flight (secondLookFor in lock.ts).
    reclaim: options.onlyOwner ? 'now' : 'settle',
    keepReclaimedDir: config.keepReclaimed,
    ...(options.onlyOwner ? { onlyOwner: options.onlyOwner } : {}),
    ...(hostViewApplies(run.model, volume) ? { host: { index: run.hostIndex, dev: statSync(stateDir).dev } } : {}),
    owners: new OwnerLedger(),
  };
  const record = (entry: LockEntry | undefined) => {
    if (!entry) return;
    run.tally.add(entry);
    logEntry(logger, entry);
  };
  const onProblem = ({ path, error }: { path: string; error: NodeJS.ErrnoException }) => {
    const message = error.code === 'EILSEQ' ? error.message : `cannot read directory (${error.code ?? error.message})`;
    reportProblem(run, { path, message });
  };
  // The walk is synchronous; at its safe points (between candidates) the event loop runs, at most every
  // YIELD_EVERY_MS, so that a signal's handler can abort the sweep, which then stops before the next candidate.
  // The first look judges every candidate; stale locks to settle wait for the second look, in batches.
  const setAside: SetAside[] = [];
  let yielded = monotonicMs();
  for (const candidate of discover(stateDir, run.patterns, onProblem)) {
    if (options.signal?.aborted) return;
    if (candidate === SAFE_POINT) {
      if (monotonicMs() - yielded >= YIELD_EVERY_MS) {
        await new Promise(setImmediate);
        yielded = monotonicMs();
      }
      continue;
    }
    const first = handleCandidate(candidate, context);
    if ('setAside' in first) setAside.push(first.setAside);
    else record(first.entry);
    if (setAside.length >= SETTLE_BATCH) await settleAndReclaim(setAside.splice(0), context, options.signal, record);
  }
  await settleAndReclaim(setAside, context, options.signal, record);
  if (options.signal?.aborted) return;
  const leases = sweepLeases(stateDir, context);
  leases.entries.forEach(record);
  leases.problems.forEach((problem) => reportProblem(run, problem));
  if (run.changes && options.keepPresence) presence.share();
}

function reportProblem(run: SweepRun, problem: { path: string; message: string }): void {
  run.problems.push(problem);
  run.logger.error({ path: problem.path }, `${problem.path}: ${problem.message}`);
}

/**
 * How long the walk runs between two turns of the event loop, which let a signal stop the sweep. Each turn
 * costs a poll of the loop (tens of µs, far more on a loaded machine): yielding at every safe point (every
 * 512 directory entries) took 5% of a sweep of 100,000 files.
 */
const YIELD_EVERY_MS = 10;

/**
 * OpenClaw releases a lock by closing its fd, then removing the file. Between the two, a live
 * owner's lock is not held open; reclaimed then, the owner's late remove would delete the next
 * holder's new lock. So a stale lock whose release may be in flight (releaseMayBeInFlight in
 * openclaw/coordinator.ts) is reclaimed only if it is still there, unchanged and not held open
 * after SETTLE_MS: a releasing owner has removed it by then. Short enough for a restart.
 */
const SETTLE_MS = 500;
/** Locks set aside at most at once, so that a volume of stale locks costs bounded memory (one wait per batch). */
const SETTLE_BATCH = 2048;

/**
 * The second look at stale locks set aside by the first, each reclaimed if still stale and unchanged.
 * A batch with a lock whose release may be in flight waits SETTLE_MS first. Locks set aside only for
 * the host view's fresh scan need no wait, nor do inspect and dry runs, which settle nothing.
 */
async function settleAndReclaim(setAside: SetAside[], context: LockContext, signal: AbortSignal | undefined, record: (entry: LockEntry | undefined) => void): Promise<void> {
  if (setAside.length === 0 || signal?.aborted) return;
  const settling = setAside.filter((lock) => lock.settle);
  if (settling.length > 0) {
    pausePoint('settling', settling.map(({ candidate }) => candidate.path).join('\n'));
    try {
      await sleep(SETTLE_MS, undefined, signal ? { signal } : {});
    } catch {
      return; // Aborted by a signal: the set-aside locks stay for the next sweep.
    }
  }
  for (const lock of setAside) {
    if (signal?.aborted) return;
    record(reclaimSettled(lock, context));
  }
}

function policyOf(config: Config): Policy {
  return { nowMs: Date.now(), graceMs: config.graceMs, tooOldMs: TOO_OLD_MS };
}

/** 'missing' (a fresh volume: nothing to do), a problem to report, or undefined when it can be swept. */
function checkStateDir(stateDir: string): 'missing' | string | undefined {
  try {
    // The state dir itself may be a symlink the operator made (~/.openclaw → /data); what lies below it is never followed.
    return statSync(stateDir).isDirectory() ? undefined : 'not a directory: give the directory that holds agents/ (--state-dir)';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'missing' : `cannot read it (${code}); check the path and its permissions (--state-dir)`;
  }
}

function logEntry(logger: Logger, entry: LockEntry): void {
  if (!logger.isLevelEnabled(entry.action === 'reclaimed' ? 'info' : entry.action === 'failed' ? 'error' : 'debug')) return;
  const fields = { path: entry.path, kind: entry.kind, pid: entry.owner.pid, reasons: entry.reasons, ...(entry.error ? { note: entry.error } : {}) };
  if (entry.action === 'reclaimed') logger.info(fields, 'reclaimed lock');
  else if (entry.action === 'failed') logger.error(fields, 'could not handle lock');
  // Kept locks go to debug: in a host namespace or on a shared volume most locks are kept, and one info line
  // each flooded the log (7,500 lines for 100k files). The summary line counts them (unknown, kept).
  else if (entry.verdict === 'unknown' || entry.error) logger.debug({ ...fields, verdict: entry.verdict }, entry.verdict === 'unknown' ? 'kept lock: its owner is not provably dead' : 'kept lock');
  else logger.debug({ ...fields, verdict: entry.verdict, action: entry.action }, 'judged lock');
}

/** Test-only: LOCKGUARD_TEST_SWEEP_DELAY_MS slows each state dir, so a test can signal mid-sweep. */
async function testDelay(): Promise<void> {
  const ms = Number(process.env.LOCKGUARD_TEST_SWEEP_DELAY_MS ?? 0);
  if (ms > 0) await sleep(ms);
}

