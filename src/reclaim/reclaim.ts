// Compare-and-delete (DESIGN §5). Synchronous on purpose: signal handlers run on the
// event loop, so no signal can interrupt a reclaim half-way; the sweep stops between locks.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, linkSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pausePoint } from '../testing/pause.js';
import { GUARD_SUFFIX, LEFTOVER_INFIX } from '../locks/discover.js';

/** Payloads are read up to this size; anything longer is a malformed lock anyway. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
export const GUARD_OWNER_FILE = 'owner.json';

export interface FileSnapshot {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  bytes: Buffer;
}

export type ReadOutcome = { ok: true; snapshot: FileSnapshot; fd: number } | { ok: false; code: string; notRegular?: boolean };

/** Open without following symlinks or blocking on FIFOs, check it is a regular file, read at most 64 KiB. Caller closes fd. */
export function openSnapshot(path: string): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return { ok: false, code, notRegular: code === 'ELOOP' };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      closeSync(fd);
      return { ok: false, code: 'ENOTREG', notRegular: true };
    }
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_PAYLOAD_BYTES));
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return { ok: true, fd, snapshot: { path, dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, bytes: buffer.subarray(0, filled) } };
  } catch (error) {
    closeSync(fd);
    return { ok: false, code: (error as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

export function readSnapshot(path: string): { ok: true; snapshot: FileSnapshot } | { ok: false; code: string; notRegular?: boolean } {
  const outcome = openSnapshot(path);
  if (outcome.ok) closeSync(outcome.fd);
  return outcome.ok ? { ok: true, snapshot: outcome.snapshot } : outcome;
}

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

export function guardPathOf(lockPath: string): string {
  return lockPath + GUARD_SUFFIX;
}

export function reclaimFile(snapshot: FileSnapshot, options: ReclaimOptions): ReclaimOutcome {
  const guard = guardPathOf(snapshot.path);
  const taken = takeGuard(guard, options);
  if (taken !== 'taken') return taken;
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

function takeGuard(guard: string, options: ReclaimOptions): 'taken' | ReclaimOutcome {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(guard, { mode: 0o700 });
      writeFileSync(join(guard, GUARD_OWNER_FILE), options.guardOwner, { flag: 'wx', mode: 0o600 });
      return 'taken';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return { status: 'failed', detail: `cannot take reclaim guard ${guard} (${code})` };
      if (attempt > 0 || !options.clearStaleGuard(guard)) return { status: 'guarded' };
    }
  }
  return { status: 'guarded' };
}

export function releaseGuard(guard: string): void {
  try {
    unlinkSync(join(guard, GUARD_OWNER_FILE));
  } catch {
    // Already gone, or an OpenClaw guard without an owner file.
  }
  try {
    rmdirSync(guard);
  } catch {
    // Left for the next sweep, which judges it like any other lock.
  }
}

function moveAside(snapshot: FileSnapshot, options: ReclaimOptions): ReclaimOutcome {
  const aside = `${snapshot.path}${LEFTOVER_INFIX}${randomBytes(8).toString('hex')}`;
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
    const keptAt = join(keepDir, `${basename(lockPath)}.${Date.now()}-${randomBytes(4).toString('hex')}`);
    renameSync(aside, keptAt);
    return { status: 'reclaimed', keptAt };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { status: 'failed', detail: `cannot remove ${aside} (${code})${code === 'EXDEV' ? ': --keep-reclaimed must be on the same filesystem as the state dir' : ''}` };
  }
}

/** Is this path still the snapshot we judged (for leftovers and guards, which have no rename step)? */
export function stillSame(path: string, snapshot: Pick<FileSnapshot, 'dev' | 'ino'>): boolean {
  try {
    const stat = lstatSync(path);
    return stat.dev === snapshot.dev && stat.ino === snapshot.ino;
  } catch {
    return false;
  }
}
