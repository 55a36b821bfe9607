// npm run demo: a state volume left behind by a crashed container, then a restart with
// lockguard as PID 1 of a fresh PID namespace, then a gateway that takes its lock at once.
//
// 1. Copy examples/demo-state to a temp dir, re-dated so that its container died 90 s ago on this
//    boot: what openclaw@2026.9.6 left when its gateway, PID 1 of that container, was SIGKILLed
//    (two gateway lock files and the gateway-owner lease row naming the dead container's hostname;
//    generated from the real package by scripts/openclaw-fixtures.mjs), and beside it session
//    locks as OpenClaw before 2026.8 wrote them (pid 1, pid 7, one cut off mid-write).
// 2. Start a live gateway in another PID namespace that holds ops/live open (a neighbour
//    sharing the volume): lockguard must keep that lock.
// 3. In a fresh PID namespace: an earlier gateway takes ops/recycled and is SIGKILLed, an
//    unrelated process gets its PID again (ns_last_pid), then lockguard becomes PID 1 and
//    runs the demo gateway (examples/demo-gateway), which takes main/main, the lock "pid 1"
//    left behind, at once.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const node = process.execPath;
const lockguard = join(root, 'dist', 'entrypoint.js');
const gateway = join(root, 'examples', 'demo-gateway', 'gateway.mjs');
const demoState = join(root, 'examples', 'demo-state');
const say = (text) => process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
const CRASH_AGO_MS = 90_000;

// The example state is read and re-dated by the TypeScript helpers of the peer tests, which Node
// runs as they are from 22.18 (type stripping); `npm run demo` runs the project's Node 24.
if (!process.features.typescript) {
  process.stderr.write(`demo: Node ${process.version} cannot load the TypeScript helpers it needs; run it with npm run demo (the project's Node 24), or Node >= 22.18\n`);
  process.exit(1);
}
const { readManifest, redateFixture, splitPayload, uptimeMs } = await import('../test/openclaw-peer/fixtures.ts');
const { clockTicksPerSecond, gatewayOwnerRow, listLockFiles, readLeaseRows } = await import('../test/openclaw-peer/harness.ts');

const work = mkdtempSync(join(tmpdir(), 'lockguard-demo-'));
const state = join(work, 'state');
let neighbour;
try {
  const crashAgoMs = copyState(state);
  const isolation = namespaceCommand();
  say(`state dir ${state}: what a container that died ${Math.round(crashAgoMs / 1000)} s ago left`);
  listState(state);

  say('a neighbour gateway in another PID namespace holds agents/ops/sessions/live.jsonl.lock open');
  neighbour = await startNeighbour(isolation);

  say('lockguard inspect, from a fresh PID namespace: the verdicts, changing nothing');
  spawnSync(isolation.argv[0], [...isolation.argv.slice(1), node, lockguard, 'inspect', '--state-dir', state, '--volume', 'exclusive', '--log-level', 'warn'], { stdio: 'inherit' });

  say(isolation.note);
  const prelude = [
    // An earlier gateway in this container crashes while holding ops/recycled …
    `${q(node)} ${q(gateway)} --state ${q(state)} --session ops/recycled --hold 600000 >/dev/null & crashed=$!`,
    `while [ ! -s ${q(join(state, 'agents/ops/sessions/recycled.jsonl.lock'))} ]; do sleep 0.05; done`,
    'kill -9 $crashed; wait $crashed 2>/dev/null',
    // … and an unrelated process is handed the same PID again.
    isolation.pidNamespace ? 'echo $((crashed - 1)) > /proc/sys/kernel/ns_last_pid; sleep 600 & echo "demo: pid $crashed crashed holding ops/recycled; pid $! is now an unrelated sleep" >&2' : 'sleep 600 &',
    `exec ${q(node)} ${q(lockguard)} --state-dir ${q(state)} --volume exclusive --log-format pretty -- ${q(node)} ${q(gateway)} --state ${q(state)} --session main/main --session main/chat-7 --hold 500`,
  ].join('\n');
  const run = spawnSync(isolation.argv[0], [...isolation.argv.slice(1), 'sh', '-c', prelude], { stdio: 'inherit' });
  say(`lockguard exited ${run.status ?? `by ${run.signal}`}; the state dir now holds`);
  listState(state);
  process.exitCode = run.status ?? 1;
} finally {
  await stop(neighbour);
  rmSync(work, { recursive: true, force: true });
}

/** unshare ignores TERM while it waits for its child; killing it hands the gateway a TERM (--kill-child). */
async function stop(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  const lock = join(state, 'agents/ops/sessions/live.jsonl.lock');
  for (let waited = 0; waited < 3_000 && existsSync(lock); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * The example state, every time moved so that its container died 90 s ago on this boot (or as
 * long ago as this boot allows: start times cannot predate it). Returns how long ago that was.
 */
function copyState(target) {
  const needs = readManifest(demoState).minUptimeMs;
  const crashAgoMs = Math.min(CRASH_AGO_MS, uptimeMs() - needs - 1_000);
  if (crashAgoMs < 1_000) throw new Error(`this machine has been up ${uptimeMs()} ms; the demo state needs ${needs + 2_000} ms: run it again in a few seconds`);
  redateFixture(demoState, target, { crashAgoMs, clockTicks: clockTicksPerSecond() });
  return crashAgoMs;
}

/** Lock files by OpenClaw generation, the gateway-owner row, and the coordinators (probed, never deleted). */
function listState(dir) {
  const files = listLockFiles(dir).filter((file) => file.type === 'file');
  const locks = files.filter((file) => file.path.endsWith('.lock'));
  const gatewayLocks = locks.filter((file) => /(^|\/)gateway\.[^/]+\.lock$/.test(file.path));
  const row = gatewayOwnerRow(readLeaseRows(dir));
  process.stdout.write('  OpenClaw 2026.9.6 (gateway lock files and the gateway-owner lease):\n');
  for (const file of gatewayLocks) line(file.path, describeLock(file));
  if (gatewayLocks.length === 0) line('tmp/openclaw-0/gateway.*.lock', 'none');
  line('state/openclaw.sqlite', row ? describeRow(row) : 'no gateway-owner row: the next gateway takes the lease at once');
  const coordinators = files.filter((file) => file.path.endsWith('.sqlite')).map((file) => file.path.split('/').pop());
  line('tmp/openclaw-0/*.sqlite', `coordinators, probed only and never deleted: ${coordinators.join(', ') || 'none'}`);
  process.stdout.write('  OpenClaw before 2026.8 (session locks; 2026.9 writes none):\n');
  const sessionLocks = locks.filter((file) => !gatewayLocks.includes(file));
  for (const file of sessionLocks) line(file.path, describeLock(file));
  if (sessionLocks.length === 0) line('', '(no session locks)');
}

function line(path, text) {
  process.stdout.write(`    ${path.padEnd(40)} ${text}\n`);
}

function describeLock(file) {
  let json;
  try {
    json = splitPayload(file.raw ?? '').json;
  } catch {
    return `unparseable: ${JSON.stringify(file.raw)}`;
  }
  const facts = [`pid ${json.pid}`];
  if (json.startTime !== undefined || json.starttime !== undefined) facts.push(`start ${json.startTime ?? json.starttime} ticks`);
  if (json.ownerId) facts.push(`owner ${String(json.ownerId).slice(0, 8)}…`);
  facts.push(`created ${ago(Date.parse(json.createdAt))}`);
  return facts.join(', ');
}

function describeRow(row) {
  const { owner } = JSON.parse(row.payload_json);
  const left = Math.round((row.expires_at - Date.now()) / 1000);
  const refusal = left > 0 ? `; a gateway with another hostname refuses to start for ${left} s more (#155644)` : '';
  return `gateway-owner row: owner ${row.owner.slice(0, 8)}…, pid ${owner.pid} on host ${owner.host}, start ${owner.startedAt} ticks${refusal}`;
}

function ago(ms) {
  return `${((Date.now() - ms) / 1000).toFixed(0)} s ago`;
}

/** unshare as root; with a user namespace otherwise; the host namespace as a last resort. */
function namespaceCommand() {
  const tries = [
    ['unshare', '--pid', '--fork', '--mount-proc'],
    ['unshare', '--user', '--map-root-user', '--pid', '--fork', '--mount-proc'],
  ];
  for (const argv of tries) {
    if (spawnSync(argv[0], [...argv.slice(1), 'true']).status === 0) {
      const neighbourArgv = [...argv.slice(0, -1), '--kill-child=SIGTERM', argv.at(-1)];
      return { argv, neighbourArgv, pidNamespace: true, note: `restart: lockguard is PID 1 of a fresh PID namespace (${argv.join(' ')})` };
    }
  }
  return { argv: ['env'], neighbourArgv: ['env'], pidNamespace: false, note: 'restart: unshare is not permitted here, so lockguard runs in the host PID namespace (a real container gives it its own)' };
}

async function startNeighbour(isolation) {
  const argv = [...isolation.neighbourArgv, node, gateway, '--state', state, '--session', 'ops/live', '--hold', '600000'];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      for (const text of chunk.trimEnd().split('\n')) process.stdout.write(`  neighbour: ${text}\n`);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`the neighbour gateway exited (${code}) before taking its lock`)));
  });
  return child;
}

function q(text) {
  return `'${String(text).replaceAll("'", `'\\''`)}'`;
}
