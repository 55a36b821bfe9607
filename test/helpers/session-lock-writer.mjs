#!/usr/bin/env node
// Takes a session lock the way OpenClaw does (open "wx", JSON payload with the writer's real pid,
// createdAt and /proc starttime), then, by mode:
//   exit  close the fd and exit at once (the lock is left behind, as after a SIGKILL);
//   hold  keep the fd open (a live holder) until SIGTERM;
//   stay  close the fd but stay alive (a live owner that does not hold the fd) until SIGTERM.
// With --gateway the payload is a gateway lock's as 2026.9 writes it: {pid, ownerId, createdAt, startTime}.
// Usage: node session-lock-writer.mjs <lockPath> <exit|hold|stay> [--ready FILE] [--created-at-offset-ms N] [--no-starttime] [--gateway]
// It signals readiness (lock written) by creating --ready FILE, or by printing "ready" on stdout.
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';

const [lockPath, mode, ...rest] = process.argv.slice(2);
if (!lockPath || !['exit', 'hold', 'stay'].includes(mode ?? '')) {
  process.stderr.write('usage: session-lock-writer.mjs <lockPath> <exit|hold|stay> [--ready FILE] [--created-at-offset-ms N] [--no-starttime] [--gateway]\n');
  process.exit(2);
}
const option = (name) => {
  const index = rest.indexOf(name);
  return index === -1 ? undefined : rest[index + 1];
};
const ready = option('--ready');
const offsetMs = Number(option('--created-at-offset-ms') ?? 0);

const stat = readFileSync('/proc/self/stat', 'latin1');
const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
const starttime = Number(fields[19]); // field 22
const gateway = rest.includes('--gateway');
const payload = { pid: process.pid, ...(gateway ? { ownerId: randomUUID() } : {}), createdAt: new Date(Date.now() + offsetMs).toISOString() };
if (!rest.includes('--no-starttime')) payload[gateway ? 'startTime' : 'starttime'] = starttime;

const fd = openSync(lockPath, 'wx', 0o644);
writeSync(fd, JSON.stringify(payload, null, 2));
if (mode !== 'hold') closeSync(fd);
if (ready) writeFileSync(ready, JSON.stringify({ ...payload, starttime }));
else process.stdout.write('ready\n');
if (mode === 'exit') process.exit(0);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 60_000);
