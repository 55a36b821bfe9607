// The host view's index (docs/design.md, "The host view"). From the initial PID namespace /proc lists
// every process on the machine. Each is indexed by its innermost pid (the pid it has in its own
// namespace, the one it writes into a lock) with its starttime; only those two numbers are kept. The
// index is built once per sweep, on the first lock that needs it.
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import type { Owner } from '../locks/types.js';
import { pausePoint } from '../testing/pause.js';
import { HOST_TIME_NS_INODE } from './namespace.js';
import { boottimeOffsetSeconds, hasExited, innermostPid, namespaceInodeOf, parseStat, readStat } from './procfs.js';
import { monotonicMs, startsAgree } from './time.js';
import type { HostIndexStats, HostLookup, NamespaceModel } from './types.js';

export interface IndexedProcess {
  hostPid: number;
  /** Ticks since boot, as seen from the initial time namespace. */
  starttime: number;
}

export interface HostScan {
  /** monotonicMs() before /proc was listed: every process alive from then until the end of the scan is in it. */
  startedAtMs: number;
  byInnermostPid: Map<number, IndexedProcess[]>;
  processes: number;
  unreadable: number;
}

/** How a process sees its own start, what it would write as its starttime: in ticks, fractional when shifted by a fraction of one. */
export type OwnStart = { ticks: number } | 'gone' | 'unreadable';

type Clock = Pick<NamespaceModel, 'bootMs' | 'clockTicks'>;

/** The index for one sweep. */
export class HostIndex {
  #scan: HostScan | undefined;
  /** Each candidate's own start, read once per scan: a process that died since can only add a match. */
  readonly #ownStarts = new WeakMap<IndexedProcess, OwnStart>();
  readonly #ownStart = (process: IndexedProcess, clockTicks: number): OwnStart => {
    let own = this.#ownStarts.get(process);
    if (own === undefined) this.#ownStarts.set(process, (own = ownStartOf(process, clockTicks)));
    return own;
  };

  constructor(
    private readonly model: Pick<NamespaceModel, 'bootMs' | 'clockTicks' | 'hostView'>,
    private readonly scan: () => HostScan = scanHostProcesses,
  ) {}

  /**
   * What /proc says about `owner`, named by bytes read at `readAtMs` (monotonicMs()).
   *
   * Only a scan begun after the bytes were read proves their writer absent: the writer existed
   * before the read, so if it still lives it lived through the whole scan, and /proc lists such a
   * process. A writer that started after an older scan began may have written them and be missing
   * from it. So an absence found in an older scan is looked up again in a new one, unless
   * `tentative`: a first look, whose stale verdict only sets the lock aside for a second look.
   * A match or an existing pid in an older scan only keeps a lock, so it stands.
   */
  lookup(owner: Pick<Owner, 'starttime' | 'processStartMs'> & { pid: number }, readAtMs: number, tentative: boolean): HostLookup {
    const scan = this.#scan ?? this.#rescan();
    const found = lookupOwner(scan, owner, this.model, this.#ownStart);
    if (found !== 'absent' || tentative || scan.startedAtMs >= readAtMs) return found;
    return lookupOwner(this.#rescan(), owner, this.model, this.#ownStart);
  }

  #rescan(): HostScan {
    const scan = this.scan();
    this.#scan = scan;
    pausePoint('host-scanned', `${scan.processes} processes`);
    if (this.model.hostView.on) {
      const stats: HostIndexStats = { scans: (this.model.hostView.index?.scans ?? 0) + 1, processes: scan.processes, unreadable: scan.unreadable };
      this.model.hostView.index = stats;
    }
    return scan;
  }
}

/**
 * Can some process on the machine be the owner? A recorded starttime must match exactly. A process in
 * another time namespace wrote its starttime shifted by that namespace's boottime offset, so a
 * process with the owner's pid and another starttime is asked how it sees its own start
 * (`ownStartOf`). A start recorded in ms matches within START_TOLERANCE_MS. Without either, any
 * process with the pid may be the owner.
 */
export function lookupOwner(scan: HostScan, owner: Pick<Owner, 'starttime' | 'processStartMs'> & { pid: number }, clock: Clock, ownStart: (process: IndexedProcess, clockTicks: number) => OwnStart): HostLookup {
  const candidates = scan.byInnermostPid.get(owner.pid) ?? [];
  const nobody: HostLookup = scan.unreadable > 0 ? 'unprovable' : 'absent';
  const { starttime, processStartMs } = owner;
  if (starttime !== undefined) {
    if (candidates.some((candidate) => candidate.starttime === starttime)) return 'match';
    let unreadable = false;
    for (const candidate of candidates) {
      const own = ownStart(candidate, clock.clockTicks);
      // Each view truncates the start in ns to whole ticks: shifted by a fraction of a tick, it may read one more.
      if (typeof own === 'object' && Math.floor(own.ticks) <= starttime && starttime <= Math.ceil(own.ticks)) return 'match';
      if (own === 'unreadable') unreadable = true;
    }
    return unreadable ? 'unprovable' : nobody;
  }
  if (processStartMs !== undefined) {
    // Starts in ms are wall-clock times, the same in every time namespace.
    return candidates.some((candidate) => startsAgree(candidate.starttime, processStartMs, clock)) ? 'match' : nobody;
  }
  return candidates.length > 0 ? 'pid-exists' : nobody;
}

/**
 * One pass over /proc: its directory entries are the processes (thread group leaders), never other
 * threads. Listed by name only: /proc gives the entry of a process that exits while it is listed no
 * type, and a Dirent without one makes Node lstat() the gone entry, which throws ENOENT from
 * opendir's readSync and drops the rest of its batch.
 */
export function scanHostProcesses(): HostScan {
  const startedAtMs = monotonicMs();
  const byInnermostPid = new Map<number, IndexedProcess[]>();
  let processes = 0;
  let unreadable = 0;
  for (const name of readdirSync('/proc')) {
    const hostPid = pidOfName(name);
    if (hostPid === undefined) continue;
    const read = readProcess(hostPid);
    if (read === 'gone') continue;
    processes += 1;
    if (read === 'unreadable') {
      unreadable += 1;
      continue;
    }
    if (read.exited) continue;
    const indexed = { hostPid, starttime: read.starttime };
    const same = byInnermostPid.get(read.innermostPid);
    if (same) same.push(indexed);
    else byInnermostPid.set(read.innermostPid, [indexed]);
  }
  return { startedAtMs, byInnermostPid, processes, unreadable };
}

function pidOfName(name: string): number | undefined {
  const first = name.charCodeAt(0);
  if (first < 0x31 || first > 0x39) return undefined;
  const pid = Number(name);
  return Number.isSafeInteger(pid) ? pid : undefined;
}

type ProcessRead = { innermostPid: number; starttime: number; exited: boolean } | 'gone' | 'unreadable';

/** NSpid from status and starttime from stat. A process that exits meanwhile is gone; a pid reused meanwhile pairs two processes' fields, which can only add a match. */
function readProcess(hostPid: number): ProcessRead {
  const status = readProcFile(`/proc/${hostPid}/status`, 'NSpid:');
  if (typeof status !== 'string') return status.failed;
  const stat = readProcFile(`/proc/${hostPid}/stat`);
  if (typeof stat !== 'string') return stat.failed;
  const innermost = innermostPid(status);
  const facts = parseStat(stat);
  if (innermost === undefined || facts === undefined) return 'unreadable';
  return { innermostPid: innermost, starttime: facts.starttime, exited: facts.state === 'X' || hasExited(facts) };
}

const readBuffer = Buffer.alloc(4096);

/** A /proc file's text, from one shared buffer; the whole file only when `needed` is not in its first 4 KiB (a long Groups: line). */
function readProcFile(path: string, needed?: string): string | { failed: 'gone' | 'unreadable' } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return { failed: failureOf(error) };
  }
  try {
    const length = readSync(fd, readBuffer, 0, readBuffer.length, 0);
    if (length === 0) return { failed: 'gone' };
    if (needed === undefined || length < readBuffer.length || readBuffer.indexOf(needed, 0, 'latin1') !== -1) return readBuffer.toString('latin1', 0, length);
    return readFileSync(fd, 'latin1');
  } catch (error) {
    return { failed: failureOf(error) };
  } finally {
    closeSync(fd);
  }
}

/** ENOENT and ESRCH: the process exited. Anything else (EACCES from a security module): it is there, unread. */
function failureOf(error: unknown): 'gone' | 'unreadable' {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' ? 'gone' : 'unreadable';
}

/**
 * The starttime `process` sees for itself, which it would have written: /proc reports every start on
 * the reader's clock, and a process in another time namespace reads its own shifted by that
 * namespace's boottime offset. /proc/<pid>/timens_offsets (readable by all) shows the offsets of the
 * namespace the process's children get. That is its own, unless it has unshared a time namespace
 * and not yet exec'd (exec moves it in). Where its namespace links can be read (root with ptrace
 * access), that case is told apart; where they cannot, the offsets are taken as its own. The
 * process is checked to be the indexed one after the reads.
 */
export function ownStartOf(process: IndexedProcess, clockTicks: number): OwnStart {
  const own = readOwnStart(`/proc/${process.hostPid}`, process.starttime, clockTicks);
  return stillIndexed(process) ? own : 'gone';
}

function readOwnStart(base: string, starttime: number, clockTicks: number): OwnStart {
  let links: { own: string; forChildren: string } | undefined;
  try {
    links = { own: readlinkSync(`${base}/ns/time`), forChildren: readlinkSync(`${base}/ns/time_for_children`) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No link on a process that is still there (checked by the caller): a kernel without time namespaces (before 5.6).
    if (code === 'ENOENT') return { ticks: starttime };
    if (code !== 'EACCES' && code !== 'EPERM') return 'unreadable';
  }
  if (links && namespaceInodeOf(links.own) === HOST_TIME_NS_INODE) return { ticks: starttime };
  if (links && links.own !== links.forChildren) return 'unreadable';
  try {
    const offset = boottimeOffsetSeconds(readFileSync(`${base}/timens_offsets`, 'latin1'));
    return offset === undefined ? 'unreadable' : { ticks: starttime + offset * clockTicks };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { ticks: starttime } : 'unreadable';
  }
}

function stillIndexed(process: IndexedProcess): boolean {
  return readStat(process.hostPid)?.starttime === process.starttime;
}
