// Synthetic OpenClaw state dirs: N session files across 10 agents, every tenth with a
// lock, the locks cycling through a fixed mix of cases so that each sweep exercises every
// verdict path. Live locks are created and held open by a separate holder process.
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../harness/run.ts';

export const AGENTS = 10;
export const LOCK_EVERY = 10;

// 20 slots = 5% each. The case names say what the lock looks like, not what lockguard
// must answer; the bench reports lockguard's own verdict counts next to this mix.
const MIX = [
  ...Array(7).fill('dead-pid'),
  'previous-boot', // createdAt before this boot's btime, dead pid
  ...Array(3).fill('recycled-pid'), // holder's live pid, wrong starttime
  'recycled-legacy', // holder's live pid, no starttime, createdAt before the holder started
  ...Array(2).fill('malformed'), // unparseable, mtime past the grace
  'empty-fresh', // empty, mtime in the future so it stays "being written" for the whole run
  ...Array(2).fill('too-old'), // dead pid, createdAt 2 h ago
  ...Array(3).fill('held-open'), // written and held open by the holder
];

export async function createStateDir(root, sessions, node) {
  const dir = join(root, `state-${sessions}`);
  const holder = await startHolder(node);
  const deadPids = findDeadPids(64);
  const mix = {};
  const heldPaths = [];
  for (let i = 0; i < sessions; i++) {
    const path = writeSession(dir, i);
    if (i % LOCK_EVERY !== 0) continue;
    const kind = MIX[(i / LOCK_EVERY) % MIX.length];
    mix[kind] = (mix[kind] ?? 0) + 1;
    if (kind === 'held-open') heldPaths.push(`${path}.lock`);
    else writeLock(`${path}.lock`, kind, { holder, deadPid: deadPids[i % deadPids.length] });
  }
  await holder.hold(join(root, `held-${sessions}.txt`), heldPaths);
  return { dir, sessions, locks: Math.ceil(sessions / LOCK_EVERY), mix, dispose: () => disposeStateDir(dir, holder) };
}

function writeSession(dir, i) {
  const sessionsDir = join(dir, 'agents', `agent-${i % AGENTS}`, 'sessions');
  if (i < AGENTS) mkdirSync(sessionsDir, { recursive: true });
  const path = join(sessionsDir, `${sessionId(i)}.jsonl`);
  writeFileSync(path, `{"type":"session","id":"${sessionId(i)}","ts":"2026-05-26T07:22:46.211Z"}\n`);
  return path;
}

function sessionId(i) {
  return `s-${i.toString(16).padStart(8, '0')}-bench`;
}

function writeLock(path, kind, { holder, deadPid }) {
  const now = Date.now();
  const iso = (msAgo) => new Date(now - msAgo).toISOString();
  const payloads = {
    'dead-pid': () => JSON.stringify({ pid: deadPid, createdAt: iso(60_000), starttime: 4242 }),
    'previous-boot': () => JSON.stringify({ pid: deadPid, createdAt: '2000-01-01T00:00:00.000Z', starttime: 4242 }),
    'recycled-pid': () => JSON.stringify({ pid: holder.pid, createdAt: iso(60_000), starttime: holder.starttime + 777 }),
    'recycled-legacy': () => JSON.stringify({ pid: holder.pid, createdAt: iso(10 * 60_000) }),
    malformed: () => '{"pid": 12, "createdAt": ',
    'empty-fresh': () => '',
    'too-old': () => JSON.stringify({ pid: deadPid, createdAt: iso(2 * 3600_000), starttime: 4242 }),
  };
  const payload = payloads[kind]();
  writeFileSync(path, payload);
  // A real lock's mtime is when its writer wrote it, i.e. its createdAt.
  const createdAt = Date.parse(payload.match(/"createdAt":"([^"]+)"/)?.[1] ?? '');
  if (Number.isFinite(createdAt)) setMtime(path, createdAt);
  if (kind === 'malformed') setMtime(path, now - 3600_000);
  if (kind === 'empty-fresh') setMtime(path, now + 3600_000);
}

function setMtime(path, ms) {
  utimesSync(path, new Date(ms), new Date(ms));
}

// PIDs with no process right now, from the top of the range where the kernel hands out
// new PIDs last.
function findDeadPids(count) {
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  const dead = [];
  for (let pid = pidMax - 1; dead.length < count && pid > 300; pid -= 7) {
    if (!existsSync(`/proc/${pid}`)) dead.push(pid);
  }
  return dead;
}

async function startHolder(node) {
  const script = new URL('./children/holder.mjs', import.meta.url).pathname;
  const child = start([node, script], { stdin: 'pipe', stderr: 'inherit', timeoutMs: 0 });
  const lines = child.lines();
  const [, pid, starttime] = (await lines.next()).value.split(' ');
  return {
    pid: Number(pid),
    starttime: Number(starttime),
    async hold(listFile, paths) {
      writeFileSync(listFile, paths.join('\n'));
      child.stdin.write(`${listFile}\n`);
      const reply = (await lines.next()).value;
      if (reply !== `ready ${paths.length}`) throw new Error(`holder: ${reply}`);
    },
    async stop() {
      child.stdin.end();
      await child.done;
    },
  };
}

async function disposeStateDir(dir, holder) {
  await holder.stop();
  rmSync(dir, { recursive: true, force: true });
}
