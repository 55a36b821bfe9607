// `npm run bench`: the seven lockguard workloads, each against baselines measured in the
// same run. Prints a table on stdout, writes bench/results.json, shows progress on stderr.
//
//   node bench/run.mjs [--only sweep,startup,memory,signals,zombies,hostview,restart] [--quick]
//
// --quick is for working on the bench itself: smaller trees, fewer signals/zombies and
// gateway restarts; 5 measured runs elsewhere. Its results.json says so.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSync } from '../harness/run.ts';
import { prepareLockguard } from './lib/lockguard.mjs';
import { elapsedSeconds, progress } from './lib/progress.mjs';
import { formatTable } from './lib/report.mjs';
import { ensureTools, nodeBinary } from './lib/tools.mjs';
import { hostViewWorkload } from './workloads/hostview.mjs';
import { memoryWorkload } from './workloads/memory.mjs';
import { restartWorkload } from './workloads/restart.mjs';
import { signalsWorkload } from './workloads/signals.mjs';
import { startupWorkload } from './workloads/startup.mjs';
import { sweepWorkload } from './workloads/sweep.mjs';
import { zombiesWorkload } from './workloads/zombies.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const WORKLOADS = { sweep: sweepWorkload, startup: startupWorkload, memory: memoryWorkload, signals: signalsWorkload, zombies: zombiesWorkload, hostview: hostViewWorkload, restart: restartWorkload };

const FULL = {
  warmup: 1,
  runs: 5,
  sweepSizes: [1_000, 10_000, 100_000],
  startupWarmup: 3,
  startupRuns: 20,
  sleepSeconds: 2,
  signalsPerRun: 200, // × 5 runs = 1,000 signals per supervisor
  zombies: 10_000,
  hostViewProcesses: 1_000,
  restartWarmup: 1,
  restartRuns: 5,
  restartCapMs: 20_000,
};
const QUICK = { ...FULL, sweepSizes: [1_000, 10_000], startupRuns: 10, sleepSeconds: 1, signalsPerRun: 50, zombies: 2_000, hostViewProcesses: 200, restartWarmup: 0, restartRuns: 2, restartCapMs: 10_000 };

async function main() {
  const args = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean' } } }).values;
  const config = { ...(args.quick ? QUICK : FULL), quick: Boolean(args.quick) };
  const selected = selectWorkloads(args.only);
  const tmp = mkdtempSync(join(tmpdir(), 'lockguard-bench-'));
  let ctx;
  try {
    ctx = setUp(config, tmp);
    const workloads = [];
    for (const [id, run] of selected) workloads.push(await runWorkload(id, run, ctx));
    const results = collectResults(ctx, workloads);
    writeFileSync(join(REPO, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${header(results)}\n${formatTable(workloads)}\n`);
  } finally {
    ctx?.lockguard.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function selectWorkloads(only) {
  const ids = only ? only.split(',').map((s) => s.trim()) : Object.keys(WORKLOADS);
  const unknown = ids.filter((id) => !WORKLOADS[id]);
  if (unknown.length) throw new Error(`--only: unknown workload ${unknown.join(', ')}; expected ${Object.keys(WORKLOADS).join(', ')}`);
  return ids.map((id) => [id, WORKLOADS[id]]);
}

function setUp(config, tmp) {
  const node = nodeBinary(REPO);
  progress(`node ${versionOf(node)} at ${node}`);
  const tools = ensureTools(['tini', 'dumb-init', 'time', 'unshare', 'perl', 'find', 'ps']);
  for (const [name, t] of Object.entries(tools)) progress(`${name}: ${t.missing ? `MISSING (${t.missing})` : t.version}`);
  const lockguard = prepareLockguard(REPO, node);
  for (const mode of ['sweep', 'run', 'exec']) progress(`lockguard ${mode}: ${lockguard[mode].missing ? `MISSING (${lockguard[mode].missing})` : 'ok'}`);
  return { config, tmp, node, tools, lockguard, gnuTime: tools.time.path };
}

// One workload failing outright (e.g. a fixture error) is reported, and the others still run.
async function runWorkload(id, run, ctx) {
  progress(`== ${id}`);
  try {
    return await run(ctx);
  } catch (error) {
    progress(`${id} failed: ${error.stack}`);
    return { id, title: id, missing: `workload failed: ${error.message}` };
  }
}

function collectResults(ctx, workloads) {
  return {
    version: 1,
    date: new Date().toISOString(),
    durationSeconds: Math.round(elapsedSeconds()),
    config: ctx.config,
    machine: machine(),
    node: { version: versionOf(ctx.node), path: ctx.node },
    tools: ctx.tools,
    lockguard: { commit: gitDescribe(), bundleSha256: ctx.lockguard.sha256, modes: { sweep: ctx.lockguard.sweep, run: ctx.lockguard.run, exec: ctx.lockguard.exec } },
    workloads,
  };
}

function machine() {
  return {
    hostname: hostname(),
    kernel: release(),
    os: readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1],
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAverageAtEnd: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

function versionOf(node) {
  return runSync([node, '--version']).stdout.trim();
}

function gitDescribe() {
  const commit = runSync(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD']);
  const dirty = runSync(['git', '-C', REPO, 'status', '--porcelain', '--', 'src', 'entrypoint.ts', 'bootstrap.ts', 'scripts/build.mjs']);
  if (commit.code !== 0 || dirty.code !== 0) return 'unknown';
  return dirty.stdout.trim() ? `${commit.stdout.trim()}+uncommitted` : commit.stdout.trim();
}

function header(r) {
  const m = r.machine;
  return [
    `# lockguard bench${r.config.quick ? ' (QUICK — not the full bench)' : ''}`,
    `${r.date} · ${m.cpu} × ${m.cores} · ${m.memoryMiB} MiB · Linux ${m.kernel} · Node ${r.node.version} · lockguard ${r.lockguard.commit} · ${r.durationSeconds} s`,
    'every ratio is median over median against a baseline measured in the same run, interleaved A B A B',
  ].join('\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
