// The chaos process: SIGKILLs random writers while they hold a lock. It finds writers in the
// initial PID namespace's /proc as children of the namespace hosts, and picks one whose fd table
// shows an open *.jsonl.lock. Before each kill it appends "kill <writerId> <monotonic ns>" to
// kills.log: until that moment the victim was certainly alive, which the oracle relies on.
// argv: <runDir> <meanIntervalMs> <namespace host PIDs…>
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const [runDir, meanArg, ...hostArgs] = process.argv.slice(2);
const hostPids = hostArgs.map(Number);
const mean = Number(meanArg);
const stopFile = join(runDir, 'stop');
const log = openSync(join(runDir, 'kills.log'), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
const marker = `${runDir}`;

/** The writers: children of the namespace hosts (their PIDs as our namespace sees them). */
function writers() {
  const found = [];
  for (const host of hostPids) {
    let pids = [];
    try {
      pids = readFileSync(`/proc/${host}/task/${host}/children`, 'latin1').trim().split(' ').filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of pids) {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
        if (argv[1]?.endsWith('/writer.mjs') && argv[3] === marker) found.push({ pid: Number(pid), id: argv[4] });
      } catch {}
    }
  }
  return found;
}

function holdsLock(pid) {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith('.jsonl.lock')) return true;
      } catch {}
    }
  } catch {}
  return false;
}

let kills = 0;
let misses = 0;
while (!existsSync(stopFile)) {
  await sleep(mean / 2 + Math.random() * mean);
  if (existsSync(stopFile)) break;
  const candidates = writers().sort(() => Math.random() - 0.5);
  const victim = candidates.find((w) => holdsLock(w.pid));
  if (!victim) {
    misses++;
    continue;
  }
  writeSync(log, `kill ${victim.id} ${process.hrtime.bigint()}\n`);
  try {
    process.kill(victim.pid, 'SIGKILL');
    kills++;
  } catch {
    writeSync(log, `unkill ${victim.id}\n`);
  }
}
closeSync(log);
process.stdout.write(JSON.stringify({ kills, misses }) + '\n');
