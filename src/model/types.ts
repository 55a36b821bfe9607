// The PID-namespace model of docs/design.md ("The model"): plain data, built once from the kernel.

export interface ProcessFacts {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot. */
  starttime: number;
  /** Field 3: R, S, D, Z, T … */
  state: string;
  /** Fields 4 and 5: the parent and the process group. */
  ppid: number;
  pgrp: number;
  threads: number;
  comm: string;
}

/** What /proc and kill(pid, 0) say about one PID in our namespace. */
export type ProcessProbe =
  | { pid: number; status: 'absent' }
  | { pid: number; status: 'alive'; facts: ProcessFacts }
  /** kill() says EPERM or the /proc entry is hidden (hidepid): alive, facts unknown. */
  | { pid: number; status: 'invisible' };

export interface Pid1Facts {
  comm: string;
  argv: string[];
  starttime: number;
  /** lockguard itself is PID 1. */
  isSelf: boolean;
  /** PID 1 is a pod's pause/infra container or an init: the namespace is shared (shareProcessNamespace). */
  isPauseOrInit: boolean;
}

/**
 * The host view: in the initial PID namespace, with /proc not hidden and the initial time namespace's
 * clocks, /proc lists every process on the machine with its innermost pid and a starttime on our clock.
 * `off` says, in one line, why not and what would work.
 */
export type HostViewFacts = { on: true; index?: HostIndexStats } | { on: false; off: string };

/** The index of every process (model/host-index.ts), once built: how often /proc was scanned, and what the last scan found. */
export interface HostIndexStats {
  scans: number;
  processes: number;
  /** Processes whose NSpid or starttime could not be read: while there are any, no absence is proven. */
  unreadable: number;
}

/**
 * What the host's /proc says about a lock's owner, in every PID namespace: `match`, a process has its
 * innermost pid and start; `pid-exists`, one has its pid but the lock records no start to compare;
 * `absent`, no process on the machine can be it; `unprovable`, a process that may be it cannot be read.
 */
export type HostLookup = 'match' | 'pid-exists' | 'absent' | 'unprovable';

export interface NamespaceModel {
  pidNs: {
    /** The /proc/self/ns/pid link, e.g. "pid:[4026532180]". */
    link: string;
    inode: number;
    /** The 64-bit NS_GET_ID id as a decimal string, where the kernel has it. */
    id?: string;
  };
  /** The initial PID namespace: no container, or hostPID. */
  hostNs: boolean;
  /** Whether lockguard sees every process on the machine (docs/design.md, "The host view"). */
  hostView: HostViewFacts;
  selfPid: number;
  parentPid: number;
  selfStarttime: number;
  pid1: Pid1Facts | null;
  /** The namespace's birth: PID 1's start, as epoch ms and ISO text. */
  bornAtMs: number;
  bornAt: string;
  bootId: string;
  /** Boot time, epoch seconds (/proc/stat btime, truncated to the second). */
  btime: number;
  /** Boot time, epoch ms: now minus /proc/uptime, the same boot clock that starttime counts on, to ~10 ms. */
  bootMs: number;
  clockTicks: number;
  phase: 'init' | 'live';
  /** The PIDs that locks named, looked up lazily. */
  processes: ProcessProbe[];
}
