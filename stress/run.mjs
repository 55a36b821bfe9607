#!/usr/bin/env node
// lockguard's concurrency stress run (issue 5).
//
//   npm run stress -- --duration 60s [--namespaces 3] [--writers-per-ns 4] [--sessions 50]
//        [--hold-max 50] [--chaos-interval 150] [--sweepers 2] [--release openclaw|unlink-first]
//        [--grace 1s] [--json] [--keep]
//
// Writers in >= 3 PID namespaces take ~50 session locks the OpenClaw way (open wx, payload
// {pid, createdAt, starttime}, fd held) and journal their holds; a chaos process SIGKILLs them
// mid-hold and their namespace host starts replacements; lockguard sweeps run back to back from
// fresh namespaces (auto, exclusive, shared) and from inside the writers' namespaces (exclusive).
// Afterwards the oracle (stress/oracle.mjs) reads the journals. Exit 0 only with 0 violations,
// no lockguard crash and nothing left behind after two final sweeps.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PUBLISHED_REPORT } from '../harness/report-schema.ts';
import { childrenOf, start } from '../harness/run.ts';
import { checkJournals } from './oracle.mjs';
import { AGENTS, sessionsDirOf } from './layout.mjs';

const here = new URL('.', import.meta.url).pathname;
const entrypoint = join(here, '..', 'dist', 'entrypoint.js');
const node = process.execPath;

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    namespaces: { type: 'string', default: '3' },
    'writers-per-ns': { type: 'string', default: '4' },
    sessions: { type: 'string', default: '50' },
    'hold-max': { type: 'string', default: '50' },
    'chaos-interval': { type: 'string', default: '150' },
    sweepers: { type: 'string', default: '2' },
    release: { type: 'string', default: 'openclaw' },
    grace: { type: 'string', default: '1s' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    // Oracle check: a rogue deleter removes random held locks; the run must then report violations.
    sabotage: { type: 'boolean', default: false },
  },
});

function durationMs(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`--duration: expected e.g. 60s, 500ms or 2m, got ${text}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's'];
}

const config = {
  durationMs: durationMs(opts.duration),
  namespaces: Number(opts.namespaces),
  writersPerNs: Number(opts['writers-per-ns']),
  sessions: Number(opts.sessions),
  holdMaxMs: Number(opts['hold-max']),
  chaosIntervalMs: Number(opts['chaos-interval']),
  sweepers: Number(opts.sweepers),
  release: opts.release,
  graceMs: durationMs(opts.grace),
};
if (!['openclaw', 'unlink-first'].includes(config.release)) throw new Error('--release: openclaw or unlink-first');
if (!existsSync(entrypoint)) throw new Error(`${entrypoint} is missing: run node scripts/build.mjs first`);

const log = (line) => {
  if (!opts.json) process.stderr.write(`stress: ${line}\n`);
};

const root = mkdtempSync(join(tmpdir(), 'lockguard-stress-'));
const stateDir = join(root, 'state');
const runDir = join(root, 'run');
for (const dir of [join(runDir, 'journals'), join(runDir, 'writers'), join(runDir, 'sweeps')]) mkdirSync(dir, { recursive: true });
for (let agent = 0; agent < AGENTS; agent++) mkdirSync(sessionsDirOf(stateDir, agent), { recursive: true });

/** Start argv with the shared runner, no timeout; `done` gives its outcome, also when it could not start. */
const children = new Set();
function launch(argv, options = {}) {
  const child = start(argv, { timeoutMs: 0, ...options });
  children.add(child);
  const done = child.done
    .catch((error) => ({ code: -1, signal: null, stdout: '', stderr: String(error) }))
    .finally(() => children.delete(child));
  return { pid: child.pid, done };
}

function cleanupAndExit(code) {
  for (const child of children) child.kill('SIGKILL');
  if (!opts.keep) rmSync(root, { recursive: true, force: true });
  process.exit(code);
}
process.once('SIGINT', () => cleanupAndExit(130));
process.once('SIGTERM', () => cleanupAndExit(143));

// --- writer namespaces -------------------------------------------------------------------------
const hosts = [];
for (let ns = 0; ns < config.namespaces; ns++) {
  const args = ['--pid', '--fork', '--mount-proc', node, join(here, 'ns-host.mjs'), stateDir, runDir, String(ns), String(config.writersPerNs), String(config.sessions), String(config.holdMaxMs), config.release];
  const launched = launch(['unshare', ...args], { stdout: 'ignore', stderr: 'inherit' });
  hosts.push(launched);
}
/** The ns-host's PID in our namespace: unshare's only child. */
async function hostPidOf(unsharePid) {
  for (let i = 0; i < 200; i++) {
    const [host] = childrenOf(unsharePid);
    if (host !== undefined) return host;
    await sleep(10);
  }
  throw new Error('cannot find the namespace host process');
}
const hostPids = await Promise.all(hosts.map((h) => hostPidOf(h.pid)));
log(`${config.namespaces} writer namespaces × ${config.writersPerNs} writers on ${config.sessions} session locks in ${stateDir}`);

// --- chaos -------------------------------------------------------------------------------------
const chaos = launch([node, join(here, 'chaos.mjs'), runDir, String(config.chaosIntervalMs), ...hostPids.map(String)]);

// --- sweepers ----------------------------------------------------------------------------------
const SWEEP_PLANS = [
  ['auto-fresh-ns'],
  ['exclusive-fresh-ns', 'auto-fresh-ns', 'exclusive-writer-ns', 'auto-writer-ns', 'shared-fresh-ns'],
];
const tally = { sweeps: 0, byPlan: {}, reclaimed: {}, kept: {}, failed: 0, failedDetails: {}, exitCodes: {}, crashes: 0, crashDetails: [], invalidReports: 0, invalidDetails: [] };
let stopping = false;

function sweepCommand(plan, turn) {
  const [volume, where] = [plan.split('-')[0], plan.slice(plan.indexOf('-') + 1)];
  const lockguard = [node, entrypoint, 'sweep', '--state-dir', stateDir, '--volume', volume, '--grace', `${config.graceMs}ms`, '--json', '--log-level', 'warn'];
  if (where === 'fresh-ns') return ['unshare', '--pid', '--fork', '--mount-proc', ...lockguard];
  const target = hostPids[turn % hostPids.length];
  return ['nsenter', '-t', String(target), '-p', '-m', '--', ...lockguard];
}

function record(plan, outcome) {
  tally.sweeps++;
  tally.byPlan[plan] = (tally.byPlan[plan] ?? 0) + 1;
  const key = outcome.signal ? `signal ${outcome.signal}` : String(outcome.code);
  tally.exitCodes[key] = (tally.exitCodes[key] ?? 0) + 1;
  let report;
  try {
    report = JSON.parse(outcome.stdout);
  } catch {}
  if (!report || (outcome.code !== 0 && outcome.code !== 1)) {
    tally.crashes++;
    if (tally.crashDetails.length < 5) tally.crashDetails.push({ plan, code: outcome.code, signal: outcome.signal, stderr: outcome.stderr.slice(0, 2000) });
    return;
  }
  // Every sweep's report is checked against the published JSON Schema, as monitoring would read it.
  const checked = PUBLISHED_REPORT.safeParse(report);
  if (!checked.success) {
    tally.invalidReports++;
    if (tally.invalidDetails.length < 5) tally.invalidDetails.push({ plan, issues: checked.error.issues.slice(0, 5) });
  }
  for (const lock of report.locks) {
    const what = `${lock.kind}:${lock.reasons.join('+')}`;
    if (lock.action === 'reclaimed') tally.reclaimed[what] = (tally.reclaimed[what] ?? 0) + 1;
    else if (lock.action === 'failed') {
      tally.failed++;
      const why = (lock.error ?? what).replace(/\/[^ ]*/g, '<path>');
      tally.failedDetails[why] = (tally.failedDetails[why] ?? 0) + 1;
    } else tally.kept[`${lock.verdict}:${lock.reasons.join('+')}`] = (tally.kept[`${lock.verdict}:${lock.reasons.join('+')}`] ?? 0) + 1;
  }
}

async function sweepLoop(index) {
  const plans = SWEEP_PLANS[index % SWEEP_PLANS.length];
  for (let turn = 0; !stopping; turn++) {
    const plan = plans[turn % plans.length];
    record(plan, await launch(sweepCommand(plan, turn)).done);
  }
}
const sweepers = Array.from({ length: config.sweepers }, (_, i) => sweepLoop(i));

// --- sabotage (oracle check only) ---------------------------------------------------------------
async function sabotageLoop() {
  while (!stopping) {
    await sleep(100);
    const agent = Math.floor(Math.random() * AGENTS);
    const locks = readdirSync(sessionsDirOf(stateDir, agent)).filter((name) => name.endsWith('.jsonl.lock'));
    const victim = locks[Math.floor(Math.random() * locks.length)];
    if (victim) rmSync(join(sessionsDirOf(stateDir, agent), victim), { force: true });
  }
}
const saboteur = opts.sabotage ? sabotageLoop() : Promise.resolve();

// --- run, stop, check ----------------------------------------------------------------------------
const started = Date.now();
while (Date.now() - started < config.durationMs) {
  await sleep(Math.min(1000, config.durationMs - (Date.now() - started)));
}
// Sweepers first (a sweep inside a writer namespace dies with that namespace), then chaos and writers.
stopping = true;
await Promise.all([...sweepers, saboteur]);
writeFileSync(join(runDir, 'stop'), '');
const chaosOutcome = await chaos.done;
const hostOutcomes = await Promise.race([Promise.all(hosts.map((h) => h.done)), sleep(30_000).then(() => undefined)]);
if (!hostOutcomes) throw new Error('writers did not stop within 30 s');

// Two final sweeps, once every writer is gone: nothing may be left (locks past the grace, guards, leftovers).
await sleep(config.graceMs + 200);
const finals = [];
for (let i = 0; i < 2; i++) {
  const outcome = await launch(sweepCommand('exclusive-fresh-ns', 0)).done;
  record('final-exclusive', outcome);
  finals.push(outcome.code);
}
const remaining = { locks: [], guards: [], leftovers: [] };
for (let agent = 0; agent < AGENTS; agent++) {
  for (const name of readdirSync(sessionsDirOf(stateDir, agent))) {
    const path = join(sessionsDirOf(stateDir, agent), name);
    if (name.endsWith('.jsonl.lock')) remaining.locks.push(path);
    else if (name.endsWith('.reclaim')) remaining.guards.push(path);
    else if (name.includes('.lockguard-')) remaining.leftovers.push(path);
  }
}

const oracle = checkJournals(runDir);
const writerStats = { busyRetries: 0, gaveUp: 0 };
for (const name of readdirSync(join(runDir, 'writers'))) {
  try {
    const s = JSON.parse(readFileSync(join(runDir, 'writers', name), 'utf8'));
    writerStats.busyRetries += s.busy;
    writerStats.gaveUp += s.gaveUp;
  } catch {}
}
let chaosFigures = { kills: 0, misses: 0 };
try {
  chaosFigures = JSON.parse(chaosOutcome.stdout);
} catch {}
const reclaimedTotal = Object.values(tally.reclaimed).reduce((a, b) => a + b, 0);
const summary = {
  config: { ...config, sabotage: opts.sabotage },
  durationMs: Date.now() - started,
  writers: config.namespaces * config.writersPerNs,
  acquisitions: oracle.acquisitions,
  kills: chaosFigures.kills,
  chaosMisses: chaosFigures.misses,
  killedMidHold: oracle.killedMidHold,
  writerBusyRetries: writerStats.busyRetries,
  writerGaveUp: writerStats.gaveUp,
  sweeps: tally.sweeps,
  sweepsByPlan: tally.byPlan,
  sweepExitCodes: tally.exitCodes,
  reclaimed: reclaimedTotal,
  reclaimsByReason: tally.reclaimed,
  keptByReason: tally.kept,
  failedEntries: tally.failed,
  failedDetails: tally.failedDetails,
  lockguardCrashes: tally.crashes,
  crashDetails: tally.crashDetails,
  invalidReports: tally.invalidReports,
  invalidReportDetails: tally.invalidDetails,
  violations: oracle.violations,
  overlaps: oracle.overlaps,
  lostLocks: oracle.lost,
  journalAnomalies: oracle.anomalies,
  unterminatedHolds: oracle.unterminated,
  maxSimultaneousHoldersPerLock: oracle.maxHolders,
  violationDetails: oracle.details,
  afterFinalSweeps: { locks: remaining.locks.length, guards: remaining.guards.length, leftovers: remaining.leftovers.length, paths: [...remaining.locks, ...remaining.guards, ...remaining.leftovers].slice(0, 10) },
  stateDir: opts.keep ? root : undefined,
};
const ok =
  summary.violations === 0 &&
  summary.journalAnomalies === 0 &&
  summary.lockguardCrashes === 0 &&
  summary.invalidReports === 0 &&
  summary.unterminatedHolds === 0 &&
  remaining.locks.length + remaining.guards.length + remaining.leftovers.length === 0;
if (opts.json) process.stdout.write(JSON.stringify({ ok, ...summary }) + '\n');
else {
  const lines = [
    `duration ${(summary.durationMs / 1000).toFixed(1)} s, ${summary.writers} writers in ${config.namespaces} PID namespaces, ${config.sessions} session locks`,
    `acquisitions ${summary.acquisitions}; kills ${summary.kills} (holds cut by a kill: ${summary.killedMidHold}; chaos found no holder ${summary.chaosMisses}×); busy retries ${summary.writerBusyRetries}, gave up ${summary.writerGaveUp}`,
    `sweeps ${summary.sweeps} ${JSON.stringify(summary.sweepsByPlan)}; exit codes ${JSON.stringify(summary.sweepExitCodes)}; crashes ${summary.lockguardCrashes}; reports off the schema ${summary.invalidReports}`,
    `reclaims ${reclaimedTotal} by reason ${JSON.stringify(summary.reclaimsByReason)}`,
    `failed entries ${summary.failedEntries} ${JSON.stringify(summary.failedDetails)}`,
    `violations ${summary.violations} (overlaps ${summary.overlaps}, lost locks ${summary.lostLocks}); journal anomalies ${summary.journalAnomalies}; max simultaneous holders per lock ${summary.maxSimultaneousHoldersPerLock}`,
    `after two final sweeps: ${summary.afterFinalSweeps.locks} locks, ${summary.afterFinalSweeps.guards} guards, ${summary.afterFinalSweeps.leftovers} leftovers`,
    ...oracle.details.map((d) => `  violation: ${d}`),
    ...summary.crashDetails.map((d) => `  lockguard crash: ${JSON.stringify(d)}`),
    ...summary.invalidReportDetails.map((d) => `  report off the schema: ${JSON.stringify(d)}`),
    ok ? 'PASS' : 'FAIL',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
cleanupAndExit(ok ? 0 : 1);
