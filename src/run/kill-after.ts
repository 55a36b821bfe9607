// --kill-after: the grace a stopping workload gets before SIGKILL.
import type { Logger } from 'pino';
import { sendSignal, type SignalTarget } from './signals.js';
import { monotonicMs } from '../model/time.js';

// The signals that ask a workload to stop: docker stop and Kubernetes send TERM, a
// terminal INT or QUIT. Others (HUP to reload, USR1 …) do not start the clock.
const STOP_REQUESTS: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT']);

export interface KillAfter {
  /**
   * Called with each signal as received, before --rewrite: the clock is the orchestrator's
   * deadline, whatever the workload is sent. The first stop request starts it; later ones
   * do not extend it.
   */
  received(signal: NodeJS.Signals): void;
  /** Stop the clock; returns when it would have fired (monotonicMs()), if it was running. */
  cancel(): number | undefined;
}

export function armKillAfter(ms: number | undefined, target: SignalTarget, logger: Logger): KillAfter {
  let timer: NodeJS.Timeout | undefined;
  let firesAt: number | undefined;
  return {
    received(signal) {
      if (ms === undefined || timer !== undefined || !STOP_REQUESTS.has(signal)) return;
      firesAt = monotonicMs() + ms;
      timer = setTimeout(() => {
        logger.warn({ pid: target.pid, group: target.group, afterMs: ms, after: signal }, `the child is still running ${ms} ms after ${signal}: sending SIGKILL (--kill-after)`);
        sendSignal(target, 'SIGKILL', logger);
      }, ms);
    },
    cancel() {
      clearTimeout(timer);
      return firesAt;
    },
  };
}
