// Signals that arrive while lockguard is still loading. Node's own handlers for TERM and INT
// re-raise them, which PID 1 ignores, so without a listener from the first moment a
// `docker stop` during start-up would be lost. The entrypoint records them before it loads
// anything else; each mode takes them once its own handlers are in place.
import { FORWARDED } from './signals.js';

const pending: NodeJS.Signals[] = [];
const record = (signal: NodeJS.Signals) => pending.push(signal);
// Not SIGPROF: V8's sampling profiler (--cpu-prof) sends it to itself, and a listener here would replace its handler.
const EARLY = FORWARDED.filter((signal) => signal.terminates && signal.name !== 'SIGPROF').map((signal) => signal.name);

export function recordEarlySignals(): void {
  for (const name of EARLY) process.on(name, record);
}

/** Stop recording: the signals that arrived so far, in order. */
export function takeEarlySignals(): NodeJS.Signals[] {
  for (const name of EARLY) process.off(name, record);
  return pending.splice(0);
}
