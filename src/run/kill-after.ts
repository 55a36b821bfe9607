// --kill-after: the grace a stopping workload gets before SIGKILL.
import type { Logger } from 'pino';
import { sendSignal, type SignalTarget } from './signals.js';

// The signals that ask a workload to stop: docker stop and Kubernetes send TERM, a
// terminal INT or QUIT. Others (HUP to reload, USR1 …) do not start the clock.
const STOP_REQUESTS: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT']);

export interface KillAfter {
  /** Called after each forwarded signal; the first stop request starts the clock, later ones do not extend it. */
  forwarded(signal: NodeJS.Signals): void;
  cancel(): void;
}

export function armKillAfter(ms: number | undefined, target: SignalTarget, logger: Logger): KillAfter {
  let timer: NodeJS.Timeout | undefined;
  return {
    forwarded(signal) {
      if (ms === undefined || timer !== undefined || !STOP_REQUESTS.has(signal)) return;
      timer = setTimeout(() => {
        logger.warn({ pid: target.pid, group: target.group, afterMs: ms, after: signal }, `the child is still running ${ms} ms after ${signal}: sending SIGKILL (--kill-after)`);
        sendSignal(target, 'SIGKILL', logger);
      }, ms);
    },
    cancel() {
      clearTimeout(timer);
    },
  };
}
