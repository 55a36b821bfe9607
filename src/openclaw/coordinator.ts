// The SQLite coordinators beside OpenClaw's gateway locks (`<lock>.sqlite`): a live owner keeps
// a connection inside BEGIN EXCLUSIVE, a POSIX record lock the kernel drops when it dies.
// We only look (F_GETLK): never open it with SQLite, never BEGIN, never delete it.
import { closeSync, constants, lstatSync, openSync } from 'node:fs';
import { probeRecordLock } from '../kernel/ffi.js';
import { LEFTOVER_INFIX } from '../locks/discover.js';
import type { LockKind } from '../locks/types.js';

/** SQLite's lock bytes on the database file: PENDING (0x40000000), RESERVED, then 510 SHARED bytes. */
const DB_LOCK_RANGE = { start: 0x4000_0000, len: 512 } as const;
/** WAL mode locks the -shm file instead: 8 lock slots from offset 120, then the DMS byte every open connection holds. */
const SHM_LOCK_RANGE = { start: 120, len: 9 } as const;

export type CoordinatorState = 'held' | 'free' | 'none' | 'unknown';

/**
 * Is any process (in any PID namespace on this kernel) holding a lock on the coordinator?
 * Any lock counts, not only EXCLUSIVE: a connection that holds one is a live OpenClaw
 * process using the lock it guards, and keeping a lock is the safe error.
 */
export function probeCoordinator(path: string): CoordinatorState {
  const db = probeFile(path, DB_LOCK_RANGE);
  if (db !== 'free') return db;
  const shm = probeFile(`${path}-shm`, SHM_LOCK_RANGE);
  return shm === 'none' ? 'free' : shm;
}

function probeFile(path: string, range: { start: number; len: number }): CoordinatorState {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 'none';
  if (!stat.isFile()) return 'unknown';
  let fd: number;
  try {
    // O_RDONLY never creates; closing our fd cannot drop locks we never took.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'unknown';
  }
  try {
    const probe = probeRecordLock(fd, range.start, range.len);
    return probe.state === 'error' ? 'unknown' : probe.state;
  } finally {
    closeSync(fd);
  }
}

/** The coordinator probe for a lock of `kind` (a leftover of a reclaim is probed by its original name). */
export function recordLockOf(kind: LockKind, lockPath: string): CoordinatorState {
  if (kind !== 'openclaw-gateway') return 'none';
  const infix = lockPath.lastIndexOf(LEFTOVER_INFIX);
  const lock = infix > 0 ? lockPath.slice(0, infix) : lockPath;
  return probeCoordinator(`${lock}.sqlite`);
}

/**
 * Can a stale-looking lock of this kind be a live owner's in the middle of its release? That is what the
 * settle waits out (docs/design.md, "The settle"). OpenClaw releases a lock file by closing its fd and then
 * removing it by path, so between the two a live owner's lock looks dead; reclaimed then, the owner's late
 * remove can take the next holder's new lock. Not so for a gateway lock whose coordinator is there and
 * free: every creator holds `<lock>.sqlite` from before its O_EXCL create to the start of its release, so a
 * free coordinator means a dead owner or one already giving the lock up, and whoever takes the lock next
 * holds the coordinator, which keeps every other creator out even if that late remove takes its file.
 */
export function releaseMayBeInFlight(kind: LockKind, coordinator: CoordinatorState): boolean {
  return kind !== 'openclaw-gateway' || coordinator !== 'free';
}
