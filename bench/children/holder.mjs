// A live lock owner, as OpenClaw is one: it creates each lock with O_CREAT|O_EXCL, writes
// its own pid and starttime, and keeps the fd open for as long as it lives, so the lease
// probe sees a writer. It lives until its stdin closes, so it never outlives the bench.
import { openSync, readFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

const starttime = Number(readFileSync('/proc/self/stat', 'utf8').split(') ').pop().split(' ')[19]);
const held = [];

function hold(path) {
  const fd = openSync(path, 'wx');
  writeSync(fd, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString(), starttime }));
  held.push(fd);
}

process.stdout.write(`hello ${process.pid} ${starttime}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const paths = readFileSync(line, 'utf8').split('\n').filter(Boolean);
  paths.forEach(hold);
  process.stdout.write(`ready ${held.length}\n`);
});
lines.on('close', () => process.exit(0));
