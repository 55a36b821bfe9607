#!/usr/bin/env node
// A tiny stand-in for an OpenClaw gateway: it takes session write locks the way OpenClaw
// does (open "wx", JSON {pid, createdAt, starttime}, fd held while owned), waits for a
// lock held by someone else up to --timeout, reports on stdout how long acquisition took,
// holds the locks, and on SIGTERM/SIGINT releases them and exits 0.
//
//   node gateway.mjs [--state DIR] [--session AGENT/SESSION]... [--timeout MS] [--hold MS]
//                    [--reclaim-dead-pid]
//
// Defaults: --state $OPENCLAW_STATE_DIR or ~/.openclaw, --session main/main, --timeout 10000,
// --hold forever. --reclaim-dead-pid adds OpenClaw's own stale rule: a lock whose pid is not
// alive in this PID namespace is removed and taken. In a restarted container that rule is
// fooled by a reused PID, which is the failure lockguard exists for.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    state: { type: 'string', default: process.env.OPENCLAW_STATE_DIR ?? join(homedir(), '.openclaw') },
    session: { type: 'string', multiple: true, default: ['main/main'] },
    timeout: { type: 'string', default: '10000' },
    hold: { type: 'string' },
    'reclaim-dead-pid': { type: 'boolean', default: false },
  },
});
const timeoutMs = Number(values.timeout);
const held = [];

function ownStarttime() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

function lockPathOf(session) {
  const [agent, id] = session.split('/');
  const dir = join(values.state, 'agents', agent, 'sessions');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${id}.jsonl.lock`);
}

function holderOf(lockPath) {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')).pid;
  } catch {
    return 'unknown';
  }
}

function isPidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** OpenClaw's rule, opt-in: remove a lock whose pid is dead here. True when it removed one. */
function reclaimIfDeadPid(lockPath) {
  const pid = holderOf(lockPath);
  if (!values['reclaim-dead-pid'] || !Number.isInteger(pid) || pid <= 0 || isPidAlive(pid)) return false;
  try {
    unlinkSync(lockPath);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  console.log(`gateway: removed stale lock of dead pid ${pid}: ${lockPath}`);
  return true;
}

async function acquire(session) {
  const lockPath = lockPathOf(session);
  const started = performance.now();
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      const payload = { pid: process.pid, createdAt: new Date().toISOString(), starttime: ownStarttime() };
      writeSync(fd, JSON.stringify(payload, null, 2));
      held.push({ fd, lockPath });
      return performance.now() - started;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (reclaimIfDeadPid(lockPath)) continue;
      if (performance.now() - started > timeoutMs) {
        throw new Error(`session file locked (timeout ${timeoutMs}ms): pid=${holderOf(lockPath)} ${lockPath}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function releaseAll() {
  for (const { fd, lockPath } of held.splice(0)) {
    closeSync(fd);
    unlinkSync(lockPath);
  }
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    releaseAll();
    console.log(`gateway: ${signal}, released locks, exiting 0`);
    process.exit(0);
  });
}

try {
  for (const session of values.session) {
    const ms = await acquire(session);
    console.log(`gateway: pid ${process.pid} acquired ${session} in ${ms.toFixed(1)} ms`);
  }
} catch (error) {
  console.log(`gateway: ${error.message}`);
  process.exit(1);
}
const holdMs = values.hold === undefined ? 2 ** 31 - 1 : Number(values.hold);
setTimeout(() => {
  releaseAll();
  process.exit(0);
}, holdMs);
