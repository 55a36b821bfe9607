// The PID-namespace model of docs/design.md ("The model"): plain data, built once from the kernel.

export interface ProcessFacts {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot. */
  starttime: number;
  /** Field 3: R, S, D, Z, T … */
  state: string;
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
