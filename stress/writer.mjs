// A stress writer: takes session locks the OpenClaw way and journals its holds.
// argv: <stateDir> <runDir> <writerId> <sessions> <holdMaxMs> <release: openclaw|unlink-first>
//
// Acquire: open(lock, "wx"), write {pid, createdAt, starttime}, keep the fd open (OpenClaw's
// acquireSessionWriteLock). EEXIST: retry the same lock with a short backoff, then give up and
// pick another. While holding, append "enter"/"leave" records to the session's journal with
// O_APPEND. Before "leave" it checks that the lock path is still its own file: if not, the lock
// was deleted or replaced under a live holder, and it journals "lost".
// Release: "openclaw" closes the fd, then removes the path (OpenClaw's releaseHeldLock order);
// "unlink-first" removes the path while the fd is still open, then closes.
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockPathOf, journalPathOf } from './layout.mjs';

const [stateDir, runDir, writerId, sessionsArg, holdMaxArg, release = 'openclaw'] = process.argv.slice(2);
const sessions = Number(sessionsArg);
const holdMaxMs = Number(holdMaxArg);
const stopFile = join(runDir, 'stop');
const statsFile = join(runDir, 'writers', `${writerId}.stats`);

const starttime = Number(readFileSync('/proc/self/stat', 'latin1').split(') ').at(-1).split(' ')[19]);
const journals = new Map();
const now = () => process.hrtime.bigint().toString();

function journal(session, line) {
  let fd = journals.get(session);
  if (fd === undefined) {
    fd = openSync(journalPathOf(runDir, session), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    journals.set(session, fd);
  }
  const bytes = Buffer.from(line + '\n');
  // O_APPEND and one write(2) per record: records never interleave.
  if (writeSync(fd, bytes) !== bytes.length) throw new Error('short journal write');
}

const stats = { acquisitions: 0, busy: 0, gaveUp: 0, lost: 0 };
function saveStats() {
  const fd = openSync(statsFile, 'w');
  writeSync(fd, JSON.stringify(stats));
  closeSync(fd);
}

async function acquire(lockPath) {
  for (let attempt = 0; attempt < 40; attempt++) {
    let fd;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      stats.busy++;
      await sleep(1 + Math.floor(Math.random() * 8));
      continue;
    }
    const acquiredAt = now();
    writeSync(fd, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString(), starttime }, null, 2));
    return { fd, acquiredAt };
  }
  stats.gaveUp++;
  return undefined;
}

function stillMine(lockPath, ino) {
  try {
    return lstatSync(lockPath).ino === ino;
  } catch {
    return false;
  }
}

let seq = 0;
while (!existsSync(stopFile)) {
  const session = Math.floor(Math.random() * sessions);
  const lockPath = lockPathOf(stateDir, session);
  const held = await acquire(lockPath);
  if (!held) continue;
  const { fd, acquiredAt } = held;
  const ino = fstatSync(fd).ino;
  const holdId = `${writerId}#${++seq}`;
  stats.acquisitions++;
  journal(session, `enter ${holdId} ${ino} ${acquiredAt}`);
  await sleep(Math.random() * holdMaxMs);
  if (!stillMine(lockPath, ino)) {
    stats.lost++;
    journal(session, `lost ${holdId} ${ino} ${now()}`);
  }
  journal(session, `leave ${holdId} ${ino} ${now()}`);
  if (release === 'unlink-first') {
    if (stillMine(lockPath, ino)) rmSync(lockPath, { force: true });
    closeSync(fd);
  } else {
    closeSync(fd);
    rmSync(lockPath, { force: true });
  }
  if (seq % 20 === 0) saveStats();
}
saveStats();
