// The few syscalls Node lacks, bound through koffi. Loaded lazily: `inspect --help`
// and the pure core never pay for the native module.
//
// Never bind waitpid(-1): it would steal the status of libuv's own children.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getSystemErrorName } from 'node:util';

type KoffiFn = (...args: unknown[]) => number;

interface Koffi {
  version: string;
  load(path: string): { func(declaration: string): KoffiFn };
  struct(name: string, fields: Record<string, string>): unknown;
  errno(): number;
  inout(type: unknown): unknown;
  pointer(type: string): unknown;
}

interface Libc {
  koffi: Koffi;
  prctl: KoffiFn;
  waitpid: KoffiFn;
  flock: KoffiFn;
  fcntl: KoffiFn;
  ioctl: KoffiFn;
  sysconf: KoffiFn;
  renameat2: KoffiFn;
  getdents64: KoffiFn;
  isatty: KoffiFn;
}

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;
const F_GETLK = 5;
const F_SETLEASE = 1024;
const F_SETSIG = 10;
const SIGURG = 23;
const F_RDLCK = 0;
const F_WRLCK = 1;
const F_UNLCK = 2;
const SEEK_SET = 0;
const SC_CLK_TCK = 2;
// _IOR(NSIO=0xb7, 0xd, __u64): the 64-bit namespace id, never reused (Linux 6.18+).
const NS_GET_ID = 0x8008_b70d;

export const ERRNO = { ENOENT: 2, EAGAIN: 11 } as const;

let libc: Libc | undefined;

/**
 * koffi, loaded straight from its prebuilt glibc binary where npm put it: beside koffi, in
 * @koromix/koffi-<platform>-<arch>/<platform>_<arch>/koffi.node. That is the file koffi's own
 * loader picks on glibc (lockguard binds libc.so.6, so glibc it is), and the version must match
 * koffi's. koffi's JS entry, and the loader in that package, wrap node:fs and node:util as a
 * bundler wraps an ESM import, which loads Node's lazy built-ins (streams, worker_threads,
 * readline…): about 9 ms and 6 MB in a bare Node (7 ms and 2 MB of a lockguard start), against
 * under 1 ms and 1 MB for the binary alone. Any other layout goes through koffi's entry.
 */
function requireKoffi(): Koffi {
  const require = createRequire(import.meta.url);
  for (const modules of require.resolve.paths('koffi') ?? []) {
    const manifest = join(modules, 'koffi', 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
      const triplet = `${process.platform}_${process.arch}`;
      const native = require(join(modules, '@koromix', `koffi-${process.platform}-${process.arch}`, triplet, 'koffi.node')) as Koffi;
      if (native.version === version) return native;
    } catch {
      // not there, or not loadable here: koffi's entry decides, and says what is wrong
    }
    break;
  }
  return require('koffi');
}

function load(): Libc {
  if (libc) return libc;
  const koffi = requireKoffi();
  const lib = koffi.load('libc.so.6');
  koffi.struct('lockguard_flock', {
    l_type: 'short',
    l_whence: 'short',
    l_start: 'int64_t',
    l_len: 'int64_t',
    l_pid: 'int32_t',
  });
  libc = {
    koffi,
    prctl: lib.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)'),
    waitpid: lib.func('int waitpid(int pid, _Out_ int *status, int options)'),
    flock: lib.func('int flock(int fd, int operation)'),
    fcntl: lib.func('int fcntl(int fd, int cmd, ...)'),
    ioctl: lib.func('int ioctl(int fd, unsigned long request, _Out_ uint64_t *out)'),
    sysconf: lib.func('long sysconf(int name)'),
    renameat2: lib.func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)'),
    // void *: koffi hands the Buffer's own memory to the kernel, no copy (glibc 2.30+ has the wrapper).
    getdents64: lib.func('long getdents64(int fd, void *buffer, size_t count)'),
    isatty: lib.func('int isatty(int fd)'),
  };
  return libc;
}

/** An errno as its name (13 → EACCES), as Node's own errors give it. */
export function errnoName(errno: number): string {
  return errno > 0 ? getSystemErrorName(-errno) : `errno ${errno}`;
}

/** A syscall result: `ok` or the errno it failed with. */
export type SysResult = { ok: true } | { ok: false; errno: number };

function result(rc: number, c: Libc): SysResult {
  return rc < 0 ? { ok: false, errno: c.koffi.errno() } : { ok: true };
}

export function setChildSubreaper(): SysResult {
  const c = load();
  return result(c.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), c);
}

export type WaitOutcome =
  | { state: 'running' }
  | { state: 'gone' } // not our child (ECHILD) or already reaped
  | { state: 'exited'; status: number };

/** waitpid(pid, WNOHANG) on one specific pid: reaps it if it is a zombie child of ours. */
export function reapPid(pid: number): WaitOutcome {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`reapPid needs a positive pid, got ${pid}`);
  const c = load();
  const status = [0];
  const rc = c.waitpid(pid, status, WNOHANG);
  if (rc === 0) return { state: 'running' };
  if (rc < 0) return { state: 'gone' };
  return { state: 'exited', status: status[0] ?? 0 };
}

export const FLOCK = { SH: 1, EX: 2, NB: 4, UN: 8 } as const;

export function flock(fd: number, operation: number): SysResult {
  const c = load();
  return result(c.flock(fd, operation), c);
}

export type LeaseProbe = 'free' | 'held-open' | { unsupported: number };

/**
 * Is anybody holding this file open for writing? A read lease can only be taken when
 * no one has it open for writing (EAGAIN otherwise). The lease is dropped at once.
 * `fd` must be opened O_RDONLY by us.
 */
export function probeWriteOpen(fd: number): LeaseProbe {
  const c = load();
  // A writer opening the file while we hold the lease breaks it, and the kernel signals us:
  // SIGIO by default, which would kill lockguard. SIGURG is ignored by default.
  c.fcntl(fd, F_SETSIG, 'int', SIGURG);
  const rc = c.fcntl(fd, F_SETLEASE, 'int', F_RDLCK);
  if (rc === 0) {
    c.fcntl(fd, F_SETLEASE, 'int', F_UNLCK);
    return 'free';
  }
  const errno = c.koffi.errno();
  return errno === ERRNO.EAGAIN ? 'held-open' : { unsupported: errno };
}

export type RecordLockProbe = { state: 'free' } | { state: 'held'; pid: number; type: 'read' | 'write' } | { state: 'error'; errno: number };

/** F_GETLK over [start, start+len): reports a conflicting POSIX record lock without taking one. */
export function probeRecordLock(fd: number, start: number, len: number): RecordLockProbe {
  const c = load();
  const lock = { l_type: F_WRLCK, l_whence: SEEK_SET, l_start: BigInt(start), l_len: BigInt(len), l_pid: 0 };
  // In-out: the kernel writes its answer back into the struct; an input-only pointer would never show it.
  const rc = c.fcntl(fd, F_GETLK, c.koffi.inout(c.koffi.pointer('lockguard_flock')), lock);
  if (rc < 0) return { state: 'error', errno: c.koffi.errno() };
  if (lock.l_type === F_UNLCK) return { state: 'free' };
  return { state: 'held', pid: lock.l_pid, type: lock.l_type === F_RDLCK ? 'read' : 'write' };
}

const AT_FDCWD = -100;
const RENAME_NOREPLACE = 1;

/**
 * rename(2) that fails with EEXIST instead of replacing the target. Plain rename()
 * silently replaces an empty directory, which could be a lock being created right now.
 */
export function renameNoReplace(from: string, to: string): SysResult {
  const c = load();
  return result(c.renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE), c);
}

/**
 * getdents64(2): the next directory entries of `fd` into `buffer`, as the kernel lays them out
 * (struct linux_dirent64). The bytes filled, 0 at the end, or the errno it failed with.
 */
export function readDirents(fd: number, buffer: Buffer): { bytes: number } | { errno: number } {
  const c = load();
  const bytes = Number(c.getdents64(fd, buffer, buffer.length));
  return bytes < 0 ? { errno: c.koffi.errno() } : { bytes };
}

/**
 * Is `fd` a terminal? isatty(3) itself: Node's answers (process.stderr.isTTY, tty.isatty) load its stream and
 * net modules first, about 3 ms of a start.
 */
export function isTerminal(fd: number): boolean {
  return load().isatty(fd) === 1;
}

/** The 64-bit namespace id of an nsfs fd, or undefined where the kernel lacks NS_GET_ID. */
export function namespaceId(fd: number): bigint | undefined {
  const c = load();
  const out = [0n];
  const rc = c.ioctl(fd, NS_GET_ID, out);
  if (rc < 0) return undefined;
  const id = out[0];
  return typeof id === 'bigint' ? id : BigInt(id ?? 0);
}

/** sysconf(_SC_CLK_TCK): the unit of starttime in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  const c = load();
  const ticks = c.sysconf(SC_CLK_TCK);
  if (!(ticks > 0)) throw new Error(`sysconf(_SC_CLK_TCK) returned ${ticks}`);
  return ticks;
}
