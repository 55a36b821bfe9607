// Directory locks (plugin-runtime-deps/*/.openclaw-runtime-{deps,mirror}.lock): mkdir is the
// lock, owner.json says who holds it. Reclaim moves the whole directory aside, checks that it
// is still the one judged, then removes it. A directory cannot be linked back like a file, so
// a mismatch is undone with renameat2(RENAME_NOREPLACE): it never lands on a newer lock.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, rmdirSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ERRNO, errnoName, probeWriteOpen, renameNoReplace } from '../kernel/ffi.js';
import { LEFTOVER_INFIX } from '../locks/discover.js';

export const OWNER_FILE = 'owner.json';
const MAX_OWNER_BYTES = 64 * 1024;

export interface DirLockSnapshot {
  path: string;
  dev: number;
  ino: number;
  mtimeMs: number;
  /** Every entry in the directory: a lock OpenClaw made holds owner.json and nothing else. */
  entries: string[];
  owner: { dev: number; ino: number; mtimeMs: number; bytes: Buffer; openForWrite: 'held-open' | 'free' | 'unknown' } | undefined;
}

export type SnapshotOutcome = { ok: true; snapshot: DirLockSnapshot } | { ok: false; code: string; notDirectory?: boolean };

/** Reads the lock directory without following symlinks: owner.json must be a regular file of at most 64 KiB. */
export function snapshotDirLock(path: string): SnapshotOutcome {
  try {
    const dir = lstatSync(path);
    if (!dir.isDirectory()) return { ok: false, code: 'ENOTDIR', notDirectory: true };
    const entries = readdirSync(path).sort();
    const owner = entries.includes(OWNER_FILE) ? readOwner(join(path, OWNER_FILE)) : undefined;
    return { ok: true, snapshot: { path, dev: dir.dev, ino: dir.ino, mtimeMs: dir.mtimeMs, entries, owner } };
  } catch (error) {
    return { ok: false, code: (error as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

function readOwner(path: string): DirLockSnapshot['owner'] {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error('owner.json is not a regular file'), { code: 'EINVAL' });
    const bytes = Buffer.alloc(Math.min(stat.size, MAX_OWNER_BYTES));
    const read = readSync(fd, bytes, 0, bytes.length, 0);
    // Someone writing owner.json right now is an owner mid-acquire.
    const probe = probeWriteOpen(fd);
    const openForWrite = probe === 'held-open' || probe === 'free' ? probe : 'unknown';
    return { dev: stat.dev, ino: stat.ino, mtimeMs: stat.mtimeMs, bytes: bytes.subarray(0, read), openForWrite };
  } finally {
    closeSync(fd);
  }
}

/** Only a directory holding exactly owner.json is a lock lockguard may remove; anything else is someone's work. */
export function onlyOwnerFile(snapshot: DirLockSnapshot): boolean {
  return snapshot.entries.length === 1 && snapshot.entries[0] === OWNER_FILE && snapshot.owner !== undefined;
}

export type DirReclaimOutcome =
  | { status: 'reclaimed' }
  | { status: 'vanished' }
  | { status: 'race'; detail: string }
  | { status: 'failed'; detail: string };

/**
 * Moves the judged directory aside, verifies it (dev/ino of the directory and of owner.json,
 * owner.json's bytes, no new entries), then removes it or moves it to `keepReclaimedDir`.
 */
export function reclaimDirLock(snapshot: DirLockSnapshot, keepReclaimedDir: string | undefined): DirReclaimOutcome {
  if (!onlyOwnerFile(snapshot)) return { status: 'failed', detail: `holds more than ${OWNER_FILE}; left alone` };
  const aside = `${snapshot.path}${LEFTOVER_INFIX}${randomBytes(8).toString('hex')}`;
  const moved = renameNoReplace(snapshot.path, aside);
  if (!moved.ok) {
    return moved.errno === ERRNO.ENOENT ? { status: 'vanished' } : { status: 'failed', detail: `cannot move aside (${errnoName(moved.errno)})` };
  }
  const now = snapshotDirLock(aside);
  if (!now.ok || !sameLock(snapshot, now.snapshot)) return putBack(aside, snapshot.path);
  return keepReclaimedDir === undefined ? removeDirLock(now.snapshot) : keep(aside, keepReclaimedDir);
}

function sameLock(judged: DirLockSnapshot, now: DirLockSnapshot): boolean {
  return (
    judged.dev === now.dev &&
    judged.ino === now.ino &&
    judged.entries.join('/') === now.entries.join('/') &&
    judged.owner !== undefined &&
    now.owner !== undefined &&
    judged.owner.dev === now.owner.dev &&
    judged.owner.ino === now.owner.ino &&
    judged.owner.bytes.equals(now.owner.bytes)
  );
}

/** Not the lock we judged: back under its own name, never over a lock created since. */
function putBack(aside: string, original: string): DirReclaimOutcome {
  const back = renameNoReplace(aside, original);
  if (back.ok) return { status: 'race', detail: 'replaced by a new lock while judged; put back untouched' };
  return { status: 'race', detail: `replaced while judged, and a newer lock now holds the name; the moved one stays at ${aside} for the next sweep` };
}

/** Removes a verified lock directory: owner.json, then the directory (rmdir fails if anything appeared). */
export function removeDirLock(snapshot: DirLockSnapshot): DirReclaimOutcome {
  try {
    unlinkSync(join(snapshot.path, OWNER_FILE));
    rmdirSync(snapshot.path);
    return { status: 'reclaimed' };
  } catch (error) {
    return { status: 'failed', detail: `cannot remove ${snapshot.path} (${(error as NodeJS.ErrnoException).code})` };
  }
}

function keep(aside: string, keepReclaimedDir: string): DirReclaimOutcome {
  const kept = renameNoReplace(aside, join(keepReclaimedDir, basename(aside)));
  return kept.ok ? { status: 'reclaimed' } : { status: 'failed', detail: `moved to ${aside} but cannot move into ${keepReclaimedDir} (${errnoName(kept.errno)})` };
}

/** A leftover of an interrupted reclaim whose owner is not proven dead goes back under its name, never over a newer lock. */
export function restoreDirLock(leftover: string): { ok: true; original: string } | { ok: false; original: string; code: string } {
  const original = leftover.slice(0, leftover.lastIndexOf(LEFTOVER_INFIX));
  const back = renameNoReplace(leftover, original);
  return back.ok ? { ok: true, original } : { ok: false, original, code: errnoName(back.errno) };
}
