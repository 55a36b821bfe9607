// Starting the workload and turning its end into lockguard's exit code.
import { execa } from 'execa';
import { readStat } from '../model/procfs.js';
import { launchFailure, type LaunchFailure } from './resolve.js';
import { signalNumber, type SignalTarget } from './signals.js';

export type ChildExit = { code: number } | { signal: NodeJS.Signals };

export interface Child {
  target: SignalTarget;
  /** Field 22 of /proc/<pid>/stat, read before the child can be reaped: with the pid, it names the child for the post-exit sweep. */
  starttime: number | undefined;
  exited: Promise<ChildExit>;
}

/**
 * Start `path` with `argv` (argv[0] as the user wrote it), inheriting stdio and env.
 * With `group`, the child gets its own session and process group (libuv's detached
 * mode is setsid), so a signal for the group reaches everything the child started and
 * nothing of ours. Not being on our controlling terminal also spares it SIGTTIN/SIGTTOU.
 */
export function startChild(path: string, argv: readonly string[], group: boolean): Child | Promise<LaunchFailure> {
  const [argv0, ...args] = argv;
  const subprocess = execa(path, args, {
    argv0,
    stdio: 'inherit',
    detached: group,
    // lockguard forwards signals and decides when to kill; execa must not do either.
    cleanup: false,
    forceKillAfterDelay: false,
    reject: false,
    buffer: false,
  });
  const pid = subprocess.pid;
  // A refused exec is reported on the next tick, but the pid's absence tells at once; the
  // caller must not miss a signal in between, so the failure alone is a promise.
  if (pid === undefined) return subprocess.then((result) => launchFailure(path, result.code));
  // Synchronously after the spawn: libuv only reaps the child from the event loop, so
  // even a child that died at once is still a zombie whose stat we can read.
  const starttime = readStat(pid)?.starttime;
  // Node reports exactly one of code and signal; should neither come, count it as a failure, never as success.
  const exited = subprocess.then((result): ChildExit => (result.signal ? { signal: result.signal } : { code: result.exitCode ?? 1 }));
  return { target: { pid, group }, starttime, exited };
}

/** The shell's convention: the child's code, or 128+N when signal N killed it. */
export function exitCodeOf(exit: ChildExit): number {
  return 'code' in exit ? exit.code : 128 + signalNumber(exit.signal);
}
