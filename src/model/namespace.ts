// Builds the PID-namespace model (docs/design.md, "The model") from the real kernel, once per run.
import { closeSync, openSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { clockTicksPerSecond, namespaceId } from '../kernel/ffi.js';
import { startMs } from './time.js';
import { parseBtime, probeProcess, procMatchesSelf, readCmdline, readStat } from './procfs.js';
import type { NamespaceModel, Pid1Facts, ProcessProbe } from './types.js';

/** The inode of the initial PID namespace (PROC_PID_INIT_INO). */
export const HOST_PID_NS_INODE = 0xeffffffc;
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
