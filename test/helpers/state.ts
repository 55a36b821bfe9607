// Temporary OpenClaw-style state dirs and the file facts the sweep tests compare before and after.
import { createHash } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StateDir {
  dir: string;
  /** <dir>/agents/<agent>/sessions, created on first use. */
  sessions(agent?: string): string;
  /** <dir>/agents/<agent>/sessions/<name>.jsonl.lock */
  lockPath(name: string, agent?: string): string;
}

const made: string[] = [];

export function makeTempDir(prefix = 'lockguard-sweep-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function makeStateDir(): StateDir {
  const dir = makeTempDir('lockguard-state-');
  const sessions = (agent = 'main') => {
    const path = join(dir, 'agents', agent, 'sessions');
    mkdirSync(path, { recursive: true });
    return path;
  };
  return { dir, sessions, lockPath: (name, agent) => join(sessions(agent), `${name}.jsonl.lock`) };
}

/** Remove every temp dir made so far (symlinks inside are removed, never followed). */
const heldOpen: number[] = [];

/** Create `path` ("wx") and keep it open for writing, as a live OpenClaw holder does, until removeTempDirs. */
export function holdOpenForWriting(path: string): void {
  heldOpen.push(openSync(path, 'wx'));
}

/** Close what the test held open, then remove its temp dirs (an afterEach hook). */
export function removeTempDirs(): void {
  for (const fd of heldOpen.splice(0)) closeSync(fd);
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Date a file: its mtime to `mtimeMs` and its atime to `atimeMs` (default: the same), as epoch ms (see boot.ts). */
export function setTimes(path: string, mtimeMs: number, atimeMs = mtimeMs): void {
  utimesSync(path, new Date(atimeMs), new Date(mtimeMs));
}

/** A session lock as OpenClaw writes it, taken at `atMs` (epoch ms, see boot.ts): createdAt and mtime. */
export function writeSessionLock(path: string, owner: { pid: number; starttime?: number }, atMs: number): Buffer {
  const createdAt = new Date(atMs).toISOString();
  const bytes = Buffer.from(JSON.stringify({ pid: owner.pid, createdAt, ...(owner.starttime === undefined ? {} : { starttime: owner.starttime }) }));
  writeFileSync(path, bytes, { flag: 'wx' });
  setTimes(path, atMs);
  return bytes;
}

export interface Fingerprint {
  bytes: Buffer;
  ino: bigint;
  mtimeNs: bigint;
  atimeNs: bigint;
}

/** A file's bytes, inode and times (ns). Read with O_NOATIME, so taking a fingerprint never changes the atime it records. */
export function fingerprint(path: string): Fingerprint {
  const stat = lstatSync(path, { bigint: true });
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOATIME | constants.O_NOFOLLOW);
  try {
    return { bytes: readFileSync(fd), ino: stat.ino, mtimeNs: stat.mtimeNs, atimeNs: stat.atimeNs };
  } finally {
    closeSync(fd);
  }
}

export function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

export function inoOf(path: string): number | undefined {
  return lstatSync(path, { throwIfNoEntry: false })?.ino;
}

/** The names in dir, sorted ([] if it does not exist). */
export function entriesOf(dir: string): string[] {
  return exists(dir) ? readdirSync(dir).sort() : [];
}

/** A PID that no process has: above every pid_max we could meet, inside the payload schema's range. */
export const DEAD_PID = 4_000_000;

/** Does this name mark a reclaim in progress: <lock>.reclaim or <lock>.lockguard-<random>? */
export function isLeftover(name: string): boolean {
  return name.includes('.lockguard-') || name.endsWith('.reclaim');
}

/** Every path under dir (not following symlinks) whose name marks a reclaim in progress (isLeftover). */
export function reclaimLeftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (isLeftover(entry.name)) found.push(path);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

/**
 * Everything under dir that a change would show (not following symlinks): each entry's type, inode,
 * mode, owner, size, mtime and ctime (ns), and a digest of a file's bytes. Read with O_NOATIME, so taking it
 * changes nothing; atimes are left out, since any reader moves them. `ctimeExempt`: names whose
 * ctime is left out (see the caller).
 */
export function treeSnapshot(dir: string, ctimeExempt: (name: string) => boolean = () => false): Record<string, string> {
  const snapshot: Record<string, string> = {};
  const walk = (path: string) => {
    const stat = lstatSync(path, { bigint: true });
    const name = path.slice(path.lastIndexOf('/') + 1);
    const ctime = ctimeExempt(name) ? '' : ` ctime=${stat.ctimeNs}`;
    const facts = `ino=${stat.ino} mode=${stat.mode.toString(8)} owner=${stat.uid}:${stat.gid} size=${stat.size} mtime=${stat.mtimeNs}${ctime}`;
    if (stat.isDirectory()) {
      snapshot[path] = `dir ${facts}`;
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else {
      snapshot[path] = stat.isFile() ? `file ${facts} sha256=${createHash('sha256').update(fingerprint(path).bytes).digest('hex')}` : `other ${facts}`;
    }
  };
  walk(dir);
  return snapshot;
}
