// Compare-and-delete of a lock file (docs/design.md, "Reclaiming"). Synchronous on purpose: signal
// handlers run on the event loop, so no signal can interrupt a reclaim half-way; the sweep stops between locks.
import { linkSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pausePoint } from '../testing/pause.js';
import { LEFTOVER_INFIX } from '../locks/discover.js';
import { readSnapshot, stillSame, type FileSnapshot } from '../locks/read.js';
import { guardPathOf, releaseGuard, takeGuard } from './guard.js';

export type ReclaimOutcome =
  | { status: 'reclaimed'; keptAt?: string }
  | { status: 'guarded' }
  | { status: 'vanished' }
  | { status: 'race'; detail: string }
  | { status: 'failed'; detail: string };

export interface ReclaimOptions {
  /** Bytes written to <lock>.reclaim/owner.json: lockguard's own identity, so a guard we leave behind can be judged. */
  guardOwner: string;
  keepReclaimedDir: string | undefined;
  /** Called when the guard already exists: true if it was proven stale and removed, so the guard can be taken. */
  clearStaleGuard(guardPath: string): boolean;
}

export function reclaimFile(snapshot: FileSnapshot, options: ReclaimOptions): ReclaimOutcome {
  const guard = guardPathOf(snapshot.path);
  const taken = takeGuard(guard, options.guardOwner, options.clearStaleGuard);
  if (taken === 'guarded') return { status: 'guarded' };
  if (taken !== 'taken') return { status: 'failed', detail: taken.failed };
  pausePoint('guard-taken', snapshot.path);
  try {
    // Judged before the guard was ours: meanwhile another reclaimer may have removed that file and a
    // new owner taken the name. Under the guard the name can no longer change hands between reclaimers,
    // so move it aside only if it is still the very file we judged; otherwise it is someone else's lock.
    if (!stillSame(snapshot.path, snapshot)) {
      // Gone is a release; another file under the name is a new owner's lock: report the race, as compareAside does.
      return lstatSync(snapshot.path, { throwIfNoEntry: false }) === undefined
        ? { status: 'vanished' }
        : { status: 'race', detail: 'the lock was replaced after it was judged; the new lock was left untouched' };
    }
    return moveAside(snapshot, options);
  } finally {
    releaseGuard(guard);
  }
}

function moveAside(snapshot: FileSnapshot, options: ReclaimOptions): ReclaimOutcome {
  const aside = asidePathOf(snapshot.path);
  try {
    renameSync(snapshot.path, aside);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { status: 'vanished' } : { status: 'failed', detail: `cannot rename ${snapshot.path} (${code})` };
  }
  pausePoint('renamed', snapshot.path);
  const mismatch = compareAside(aside, snapshot);
  if (mismatch) return putBack(aside, snapshot.path, mismatch);
  pausePoint('verified', snapshot.path);
  const result = dispose(aside, snapshot.path, options.keepReclaimedDir);
  pausePoint('unlinked', snapshot.path);
  return result;
}

/** The renamed file must be the very file we judged: same dev/ino and the same bytes. */
function compareAside(aside: string, snapshot: FileSnapshot): string | undefined {
  const now = readSnapshot(aside);
  if (!now.ok) return `renamed file unreadable (${now.code})`;
  if (now.snapshot.dev !== snapshot.dev || now.snapshot.ino !== snapshot.ino) return 'the lock was replaced after it was judged';
  if (now.snapshot.size !== snapshot.size || !now.snapshot.bytes.equals(snapshot.bytes)) return 'the lock was rewritten after it was judged';
  return undefined;
}

/** link() never overwrites: if a new lock took the name meanwhile, the moved one stays aside for the next sweep to judge. */
function putBack(aside: string, lockPath: string, why: string): ReclaimOutcome {
  try {
    linkSync(aside, lockPath);
    unlinkSync(aside);
    return { status: 'race', detail: `${why}; put back untouched` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { status: 'race', detail: `${why}; could not put it back (${code}), left at ${aside}` };
  }
}

function dispose(aside: string, lockPath: string, keepDir: string | undefined): ReclaimOutcome {
  try {
    if (keepDir === undefined) {
      unlinkSync(aside);
      return { status: 'reclaimed' };
    }
    const keptAt = join(keepDir, `${basename(lockPath)}.${Date.now()}-${randomHex32()}`);
    renameSync(aside, keptAt);
    return { status: 'reclaimed', keptAt };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { status: 'failed', detail: `cannot remove ${aside} (${code})${code === 'EXDEV' ? ': --keep-reclaimed must be on the same filesystem as the state dir' : ''}` };
  }
}

/**
 * Where a lock is moved while it is verified: <lock>.lockguard-<16 random hex digits>, unique
 * among sweepers of other containers on the same volume (all of them PID 1, so a pid and a
 * clock would collide). The name must be unique, not secret: Math.random, which V8 seeds per
 * process from the system's entropy, serves, and a reclaim need not load node:crypto (about
 * 5 ms of a start).
 */
export function asidePathOf(lockPath: string): string {
  return `${lockPath}${LEFTOVER_INFIX}${randomHex32()}${randomHex32()}`;
}

function randomHex32(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
}

/** The name a leftover of an interrupted reclaim (<lock>.lockguard-<random>) had as a lock. */
export function originalOf(leftover: string): string {
  return leftover.slice(0, leftover.lastIndexOf(LEFTOVER_INFIX));
}

/** A leftover whose owner is proven dead: remove it. */
export function removeLeftover(path: string): ReclaimOutcome {
  try {
    unlinkSync(path);
    return { status: 'reclaimed' };
  } catch (error) {
    return { status: 'failed', detail: `cannot remove (${(error as NodeJS.ErrnoException).code})` };
  }
}

/** A leftover whose owner is not proven dead goes back under its own name: link() never lands on a newer lock. */
export function restoreLeftover(path: string): { ok: true; original: string } | { ok: false; original: string; code: string } {
  const original = originalOf(path);
  try {
    linkSync(path, original);
    unlinkSync(path);
    return { ok: true, original };
  } catch (error) {
    return { ok: false, original, code: (error as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}
