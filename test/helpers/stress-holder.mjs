// Holds a lock file open for writing, as OpenClaw does while it holds a session lock.
// argv: <path> <create|open> [payload]   prints "ready <pid> <ino>" and holds until killed.
import { fstatSync, openSync, writeSync } from 'node:fs';

const [path, how, payload] = process.argv.slice(2);
const fd = openSync(path, how === 'create' ? 'wx' : 'r+');
if (how === 'create') writeSync(fd, payload ?? JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString() }));
process.stdout.write(`ready ${process.pid} ${fstatSync(fd).ino}\n`);
setInterval(() => {}, 1 << 30);
