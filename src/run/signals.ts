// The forwarding table and the one way lockguard sends a signal to its workload.
import { constants } from 'node:os';
import type { Logger } from 'pino';

export interface ForwardedSignal {
  name: NodeJS.Signals;
  /** The default action ends the process. Before the child exists, only these stop lockguard. */
  terminates: boolean;
}

/**
 * Every signal Node can listen to, in number order, except:
 * - SIGCHLD, which is ours: it drives the reaper;
 * - SIGKILL and SIGSTOP, which nobody can catch;
 * - the synchronous faults (SEGV, BUS, FPE, ILL, ABRT, TRAP, SYS): they report a fault in
 *   lockguard itself, where a JS listener would run in a broken process and hide the
 *   crash; one sent with kill(2) is a mistake.
 *
 * SIGUSR1 is forwarded, and listening to it also keeps Node from opening its inspector port.
 * SIGPIPE is forwarded: Node ignores it by default, which would swallow it silently.
 * SIGTSTP, SIGTTIN and SIGTTOU are forwarded unchanged. (tini forwards TSTP but ignores
 * TTIN and TTOU; dumb-init turns all three into SIGSTOP for the child and stops itself.)
 * lockguard as PID 1 cannot stop itself (the kernel drops SIGSTOP sent to init from inside
 * its namespace), and a stopped gateway would sit on its session locks while the container
 * looks alive; `docker pause` is the tool for freezing. In group mode the child leads its
 * own session, so its process group is orphaned and the kernel discards these three for
 * processes that leave them at the default: only a child that catches them notices.
 */
export const FORWARDED: readonly ForwardedSignal[] = [
  { name: 'SIGHUP', terminates: true },
  { name: 'SIGINT', terminates: true },
  { name: 'SIGQUIT', terminates: true },
  { name: 'SIGUSR1', terminates: true },
  { name: 'SIGUSR2', terminates: true },
  { name: 'SIGPIPE', terminates: true },
  { name: 'SIGALRM', terminates: true },
  { name: 'SIGTERM', terminates: true },
  { name: 'SIGSTKFLT', terminates: true },
  { name: 'SIGCONT', terminates: false },
  { name: 'SIGTSTP', terminates: false },
  { name: 'SIGTTIN', terminates: false },
  { name: 'SIGTTOU', terminates: false },
  { name: 'SIGURG', terminates: false },
  { name: 'SIGXCPU', terminates: true },
  { name: 'SIGXFSZ', terminates: true },
  { name: 'SIGVTALRM', terminates: true },
  { name: 'SIGPROF', terminates: true },
  { name: 'SIGWINCH', terminates: false },
  { name: 'SIGIO', terminates: true },
  { name: 'SIGPWR', terminates: true },
];

/** Why a signal is not in FORWARDED, for the error that refuses to rewrite it. */
export function notForwardedBecause(name: NodeJS.Signals): string {
  if (name === 'SIGKILL' || name === 'SIGSTOP') return 'it cannot be caught';
  if (name === 'SIGCHLD') return 'lockguard\'s own: it drives the reaper';
  return 'a fault signal, left at its default as tini does, so that a fault in lockguard itself is not hidden';
}

export function signalNumber(name: NodeJS.Signals): number {
  return constants.signals[name];
}

/**
 * Listen to every forwarded signal until released. Without a listener, Node as PID 1
 * would ignore TERM and INT (the kernel protects init from signals it does not handle).
 */
export function trapSignals(onSignal: (signal: ForwardedSignal) => void): { release(): void } {
  const listeners = FORWARDED.map((signal) => {
    const listener = () => onSignal(signal);
    process.on(signal.name, listener);
    return { name: signal.name, listener };
  });
  return {
    release() {
      for (const { name, listener } of listeners) process.off(name, listener);
    },
  };
}

/** Where forwarded signals go: the child's process group (its pid, as it leads it) or the child alone. */
export interface SignalTarget {
  pid: number;
  group: boolean;
}

/**
 * Send a signal to the target. A target already gone raced us to the exit, which is
 * fine; any other refusal (EPERM from a child that changed its uid) is logged, never
 * thrown: this runs in a signal listener, and a throw there would end lockguard.
 */
export function sendSignal(target: SignalTarget, signal: NodeJS.Signals, logger: Logger): void {
  try {
    process.kill(target.group ? -target.pid : target.pid, signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const whom = target.group ? `process group ${target.pid}` : `pid ${target.pid}`;
    if (code !== 'ESRCH') logger.warn({ signal, pid: target.pid, group: target.group, code }, `could not send ${signal} to ${whom} (${code}); it keeps running without it`);
  }
}
