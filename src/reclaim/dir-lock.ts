// Compare-and-delete of a directory lock (mkdir is the lock, owner.json says who holds it): move
// the whole directory aside, check that it is still the one judged, then remove it. A directory
// cannot be linked back like a file, so a mismatch is undone with renameat2(RENAME_NOREPLACE):
// it never lands on a newer lock.
import { rmdirSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ERRNO, errnoName, renameNoReplace } from '../kernel/ffi.js';
import { onlyOwnerFile, OWNER_FILE, snapshotDirLock, type DirLockSnapshot } from '../locks/read.js';
import { asidePathOf, originalOf, type ReclaimOutcome } from './file.js';

export type DirReclaimOutcome = Exclude<ReclaimOutcome, { status: 'guarded' }>;

/**
 * Moves the judged directory aside, verifies it (dev/ino of the directory and of owner.json,
 * owner.json's bytes, no new entries), then removes it or moves it to `keepReclaimedDir`.
 */
export function reclaimDirLock(snapshot: DirLockSnapshot, keepReclaimedDir: string | undefined): DirReclaimOutcome {
  if (!onlyOwnerFile(snapshot)) return { status: 'failed', detail: `holds more than ${OWNER_FILE}; left alone` };
  const aside = asidePathOf(snapshot.path);
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
  const original = originalOf(leftover);
  const back = renameNoReplace(leftover, original);
  return back.ok ? { ok: true, original } : { ok: false, original, code: errnoName(back.errno) };
}
