// Starting the workload and turning its end into lockguard's exit code. node:child_process
// directly, not execa: one spawn with inherited stdio needs none of execa's pipes or
// promises, and execa 10, bundled, costs every start about 27 ms of CPU and 11 MiB of peak
// RSS just to load (A/B against an empty bundle, Node 24). execa runs only the harnesses'
// processes (harness/run.ts).
import { spawn } from 'node:child_process';
import { readStat } from '../model/procfs.js';
import { launchFailure, type LaunchFailure } from './resolve.js';
import { signalExitCode } from '../cli/exit-codes.js';
import type { SignalTarget } from './signals.js';

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
  const subprocess = spawn(path, args, { argv0, stdio: 'inherit', detached: group });
  const pid = subprocess.pid;
  // A refused exec is reported on the next tick, but the pid's absence tells at once; the
  // caller must not miss a signal in between, so the failure alone is a promise.
  if (pid === undefined) {
    return new Promise((resolve) => subprocess.once('error', (error: NodeJS.ErrnoException) => resolve(launchFailure(path, error.code))));
  }
  // Synchronously after the spawn: libuv only reaps the child from the event loop, so
  // even a child that died at once is still a zombie whose stat we can read.
  const starttime = readStat(pid)?.starttime;
  // Node reports exactly one of code and signal; should neither come, count it as a failure, never as success.
  const exited = new Promise<ChildExit>((resolve) => subprocess.once('exit', (code, signal) => resolve(signal ? { signal } : { code: code ?? 1 })));
  return { target: { pid, group }, starttime, exited };
}

/** The child's code, or 128+N when signal N killed it. */
export function exitCodeOf(exit: ChildExit): number {
  return 'code' in exit ? exit.code : signalExitCode(exit.signal);
}
