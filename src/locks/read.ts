// Reading a lock, the first step of its road: what it is (never through a symlink) and what it
// says, bounded, so that the verdict judges and the reclaim compares exactly these bytes.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { probeWriteOpen } from '../kernel/ffi.js';
import { monotonicMs } from '../model/time.js';

/** Payloads are read up to this size; anything longer is a malformed lock anyway. */
const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface FileSnapshot {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** Changes with every write and every change of the inode (on Linux 6.13+ even within one clock tick, once read). */
  ctimeMs: number;
  bytes: Buffer;
  /** monotonicMs() once the bytes had been read: their writer existed by then. */
  readAtMs: number;
}

/** `statUnchanged`: the file's stat matched the snapshot given to openSnapshot, which is returned, its bytes not read again. */
export type ReadOutcome = { ok: true; snapshot: FileSnapshot; fd: number; statUnchanged?: true } | { ok: false; code: string; notRegular?: boolean };

/**
 * Open without following symlinks or blocking on FIFOs, check it is a regular file, read at most 64 KiB. Caller closes fd.
 * `known`: this path's snapshot from an earlier look. If the file's stat still matches it (dev, ino, size, mtime and
 * ctime), the bytes are not read again and `known` comes back. A same stat does not prove the same bytes: the caller
 * must compare the bytes before it acts on them, as a reclaim does after its rename (reclaim/file.ts).
 */
export function openSnapshot(path: string, known?: FileSnapshot): ReadOutcome {
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
    if (known && sameStat(known, stat)) return { ok: true, fd, snapshot: known, statUnchanged: true };
    // Only the bytes read are kept (subarray), so an uninitialised tail of a file that shrank is never seen.
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, MAX_PAYLOAD_BYTES));
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    const { dev, ino, size, mtimeMs, ctimeMs } = stat;
    return { ok: true, fd, snapshot: { path, dev, ino, size, mtimeMs, ctimeMs, bytes: buffer.subarray(0, filled), readAtMs: monotonicMs() } };
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

function sameStat(known: FileSnapshot, stat: Stats): boolean {
  return stat.dev === known.dev && stat.ino === known.ino && stat.size === known.size && stat.mtimeMs === known.mtimeMs && stat.ctimeMs === known.ctimeMs;
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

/** The file in a directory lock that says who holds it. */
export const OWNER_FILE = 'owner.json';

/** A directory lock (mkdir is the lock) as read: the directory, what it holds, and its owner.json. */
export interface DirLockSnapshot {
  path: string;
  dev: number;
  ino: number;
  mtimeMs: number;
  /** Every entry in the directory: a lock made by its owner holds owner.json and nothing else. */
  entries: string[];
  owner: { dev: number; ino: number; mtimeMs: number; bytes: Buffer; openForWrite: 'held-open' | 'free' | 'unknown' } | undefined;
  /** monotonicMs() once owner.json had been read. */
  readAtMs: number;
}

export type DirSnapshotOutcome = { ok: true; snapshot: DirLockSnapshot } | { ok: false; code: string; notDirectory?: boolean };

/** Reads the lock directory without following symlinks: owner.json must be a regular file of at most 64 KiB. */
export function snapshotDirLock(path: string): DirSnapshotOutcome {
  try {
    const dir = lstatSync(path);
    if (!dir.isDirectory()) return { ok: false, code: 'ENOTDIR', notDirectory: true };
    const entries = readdirSync(path).sort();
    const owner = entries.includes(OWNER_FILE) ? readOwner(join(path, OWNER_FILE)) : undefined;
    return { ok: true, snapshot: { path, dev: dir.dev, ino: dir.ino, mtimeMs: dir.mtimeMs, entries, owner, readAtMs: monotonicMs() } };
  } catch (error) {
    return { ok: false, code: (error as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

function readOwner(path: string): DirLockSnapshot['owner'] {
  const read = openSnapshot(path);
  if (!read.ok) throw Object.assign(new Error(`cannot read ${OWNER_FILE}`), { code: read.code === 'ENOTREG' ? 'EINVAL' : read.code });
  try {
    const { dev, ino, mtimeMs, bytes } = read.snapshot;
    // Someone writing owner.json right now is an owner mid-acquire.
    return { dev, ino, mtimeMs, bytes, openForWrite: openForWriteOf(read.fd) };
  } finally {
    closeSync(read.fd);
  }
}

/** Only a directory holding exactly owner.json is a lock lockguard may remove; anything else is someone's work. */
export function onlyOwnerFile(snapshot: DirLockSnapshot): boolean {
  return snapshot.entries.length === 1 && snapshot.entries[0] === OWNER_FILE && snapshot.owner !== undefined;
}

/** The read-lease probe on an open fd: does any process (any namespace, this kernel) hold the file open for writing? */
export function openForWriteOf(fd: number): 'held-open' | 'free' | 'unknown' {
  const probe = probeWriteOpen(fd);
  return probe === 'held-open' || probe === 'free' ? probe : 'unknown';
}
