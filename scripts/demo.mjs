// npm run demo: a state volume left behind by a crashed container, then a restart with
// lockguard as PID 1 of a fresh PID namespace, then a gateway that takes its lock at once.
//
// 1. Copy examples/demo-state (locks of a previous container: pid 1, pid 7, a malformed one)
//    to a temp dir, dated 90 s ago as if that container had just died.
// 2. Start a live gateway in another PID namespace that holds ops/live open (a neighbour
//    sharing the volume): lockguard must keep that lock.
// 3. In a fresh PID namespace: an earlier gateway takes ops/recycled and is SIGKILLed, an
//    unrelated process gets its PID again (ns_last_pid), then lockguard becomes PID 1 and
//    runs the demo gateway, which takes main/main, the lock "pid 1" left behind.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const node = process.execPath;
const lockguard = join(root, 'dist', 'entrypoint.js');
const gateway = join(root, 'examples', 'demo-gateway', 'gateway.mjs');
const say = (text) => process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);

const work = mkdtempSync(join(tmpdir(), 'lockguard-demo-'));
const state = join(work, 'state');
let neighbour;
try {
  copyState(state);
  const isolation = namespaceCommand();
  say(`state dir ${state}: locks left by a container that died 90 s ago`);
  listLocks(state);

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
  listLocks(state);
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

function copyState(target) {
  cpSync(join(root, 'examples', 'demo-state'), target, { recursive: true });
  const then = new Date(Date.now() - 90_000);
  for (const path of walk(target)) {
    if (path.endsWith('.lock')) {
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, text.replace(/"createdAt": ?"[^"]*"/, (match) => match.replace(/"[^"]*"$/, `"${then.toISOString()}"`)));
    }
    utimesSync(path, then, then);
  }
  ageLeaseRows(join(target, 'state', 'openclaw.sqlite'), then);
}

/** Lease rows carry their times inside the DB: date them like the lock files. */
function ageLeaseRows(db, then) {
  const handle = new DatabaseSync(db);
  handle.prepare('UPDATE state_leases SET created_at = ?, updated_at = ?, heartbeat_at = ?, expires_at = ?').run(then.getTime(), then.getTime(), then.getTime(), then.getTime() + 300_000);
  handle.close();
  utimesSync(db, then, then);
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

function listLocks(dir) {
  const locks = [...walk(dir)].filter((path) => path.endsWith('.lock')).sort();
  for (const path of locks) process.stdout.write(`  ${relative(dir, path)}  ${readFileSync(path, 'utf8').split('\n')[0].slice(0, 90)}\n`);
  if (locks.length === 0) process.stdout.write('  (no locks)\n');
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
      for (const line of chunk.trimEnd().split('\n')) process.stdout.write(`  neighbour: ${line}\n`);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`the neighbour gateway exited (${code}) before taking its lock`)));
  });
  return child;
}

function q(text) {
  return `'${String(text).replaceAll("'", `'\\''`)}'`;
}
