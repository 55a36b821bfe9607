// Builds the PID-namespace model (docs/design.md, "The model") from the real kernel, once per run.
import { closeSync, openSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { clockTicksPerSecond, namespaceId } from '../kernel/ffi.js';
import { startMs } from './time.js';
import { innermostPid, namespaceInodeOf, parseBtime, probeProcess, procHiddenBy, procMatchesSelf, readCmdline, readStat } from './procfs.js';
import type { HostViewFacts, NamespaceModel, Pid1Facts, ProcessProbe } from './types.js';

/** The inode of the initial PID namespace (PROC_PID_INIT_INO). */
export const HOST_PID_NS_INODE = 0xeffffffc;
/** The inode of the initial time namespace (PROC_TIME_INIT_INO). */
export const HOST_TIME_NS_INODE = 0xeffffffa;
const INIT_COMMS = new Set(['pause', 'tini', 'docker-init', 'dumb-init', 'catatonit', 'systemd', 'init', 's6-svscan', 'runit', 'lockguard']);

export class ModelError extends Error {
  override name = 'ModelError';
}

export function buildModel(phase: NamespaceModel['phase']): NamespaceModel {
  if (!procMatchesSelf()) {
    throw new ModelError(`/proc does not belong to this PID namespace (/proc/self is not ${process.pid}): mount a fresh procfs (unshare --mount-proc, or run in a container)`);
  }
  const self = readStat('self');
  if (!self) throw new ModelError('/proc/self/stat is unreadable: lockguard needs a mounted procfs');
  const btime = parseBtime(readFileSync('/proc/stat', 'latin1'));
  if (btime === undefined) throw new ModelError('/proc/stat has no btime line: lockguard needs a Linux procfs');
  const clockTicks = clockTicksPerSecond();
  const pidNs = readPidNamespace();
  const pid1 = readPid1(self.pid);
  const bootMs = readBootMs();
  const bornAtMs = birthOf(pid1 ? startMs(pid1.starttime, { bootMs, clockTicks }) : undefined, bootMs);
  return {
    pidNs,
    hostNs: pidNs.inode === HOST_PID_NS_INODE,
    hostView: readHostView(pidNs.inode),
    selfPid: self.pid,
    parentPid: self.ppid,
    selfStarttime: self.starttime,
    pid1,
    bornAtMs,
    bornAt: new Date(bornAtMs).toISOString(),
    bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim(),
    btime,
    bootMs,
    clockTicks,
    phase,
    processes: [],
  };
}

/** Rounding of the boot clock and the 10 ms ticks can put a PID 1 that started just now a little ahead of now. */
const FUTURE_SLACK_MS = 1_000;

/**
 * The namespace's birth: PID 1's start. Without it (hidepid) the earliest possible birth is the boot:
 * claiming less never reclaims more. So is it when PID 1's start lies in the future: in a time namespace
 * whose boot is later than PID 1's start (unshare --time --boottime with a negative offset, a CRIU
 * restore), the kernel reports that start wrapped around, centuries ahead.
 */
export function birthOf(pid1StartMs: number | undefined, bootMs: number, nowMs = Date.now()): number {
  return pid1StartMs !== undefined && pid1StartMs <= nowMs + FUTURE_SLACK_MS ? pid1StartMs : bootMs;
}

/** btime is whole seconds; uptime gives the boot instant to the hundredth, on the clock starttime uses. */
function readBootMs(): number {
  const uptimeSeconds = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
  if (!Number.isFinite(uptimeSeconds)) throw new ModelError('/proc/uptime is unreadable: lockguard needs a Linux procfs');
  return Math.round(Date.now() - uptimeSeconds * 1000);
}

function readPidNamespace(): NamespaceModel['pidNs'] {
  const path = '/proc/self/ns/pid';
  const link = readlinkSync(path);
  const inode = statSync(path).ino;
  const fd = openSync(path, 'r');
  try {
    const id = namespaceId(fd);
    return id === undefined ? { link, inode } : { link, inode, id: id.toString() };
  } finally {
    closeSync(fd);
  }
}

/** What the host view needs (docs/design.md, "The host view"): the first condition that fails says why it is off. */
function readHostView(pidNsInode: number): HostViewFacts {
  const off = (why: string): HostViewFacts => ({ on: false, off: why });
  if (pidNsInode !== HOST_PID_NS_INODE) return off('this namespace cannot see the writers; run lockguard in the new container, or from the host');
  const hidden = readOr('/proc/self/mountinfo', procHiddenBy);
  if (hidden === null) return off('/proc/self/mountinfo is unreadable, so a hidepid /proc cannot be ruled out; run lockguard in the new container');
  if (hidden !== undefined) return off(`/proc is mounted with ${hidden}, which hides processes; run lockguard where /proc is mounted without hidepid or subset=pid`);
  const timeNs = readTimeNamespace();
  if (timeNs !== undefined && timeNs !== HOST_TIME_NS_INODE) {
    return off(`lockguard runs in a time namespace (${typeof timeNs === 'number' ? `time:[${timeNs}]` : timeNs}) whose starttimes are not the host's; run it in the initial one (nsenter --time=/proc/1/ns/time)`);
  }
  if (readOr('/proc/self/status', innermostPid) == null) return off("this kernel's /proc has no NSpid line (Linux 4.1 and later have it); run lockguard in the new container");
  return { on: true };
}

/** `parse` of the file's text; null when it cannot be read. */
function readOr<T>(path: string, parse: (text: string) => T): T | null {
  try {
    return parse(readFileSync(path, 'latin1'));
  } catch {
    return null;
  }
}

/** Our time namespace's inode; undefined on a kernel without time namespaces (before 5.6), where every clock is the host's. */
function readTimeNamespace(): number | string | undefined {
  try {
    const link = readlinkSync('/proc/self/ns/time');
    return namespaceInodeOf(link) ?? link;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : `unreadable: ${code}`;
  }
}

function readPid1(selfPid: number): Pid1Facts | null {
  const stat = readStat(1);
  if (!stat) return null;
  return {
    comm: stat.comm,
    argv: readCmdline(1),
    starttime: stat.starttime,
    isSelf: selfPid === 1,
    isPauseOrInit: selfPid !== 1 && INIT_COMMS.has(stat.comm),
  };
}

/** Probes PIDs on first use only, and remembers them for the report. */
export class ProcessTable {
  readonly #seen = new Map<number, ProcessProbe>();

  constructor(private readonly model: NamespaceModel) {}

  probe(pid: number): ProcessProbe {
    let probe = this.#seen.get(pid);
    if (!probe) {
      probe = probeProcess(pid);
      this.#seen.set(pid, probe);
      this.model.processes.push(probe);
    }
    return probe;
  }
}
