// Clocks: process start times (/proc/<pid>/stat counts them in clock ticks since boot; verdicts compare
// epoch ms), and the monotonic clock lockguard times its own steps with.
import type { NamespaceModel } from './types.js';

/** Epoch ms at which a process with this starttime (ticks since boot) started. */
export function startMs(starttimeTicks: number, model: Pick<NamespaceModel, 'bootMs' | 'clockTicks'>): number {
  return model.bootMs + (starttimeTicks * 1000) / model.clockTicks;
}

/** A start recorded in ms by another clock reading (payloads' pidStartTimeMs) agrees with ours only to within this. */
const START_TOLERANCE_MS = 1_500;

/** Does a process with this starttime (ticks since boot) have the start a payload recorded in epoch ms? */
export function startsAgree(starttimeTicks: number, recordedMs: number, model: Pick<NamespaceModel, 'bootMs' | 'clockTicks'>): boolean {
  return Math.abs(startMs(starttimeTicks, model) - recordedMs) <= START_TOLERANCE_MS;
}

/**
 * Milliseconds on the monotonic clock (libuv's hrtime: CLOCK_MONOTONIC), for durations and for the order of
 * events in this process. Not performance.now(): its first call loads perf_hooks, about 1.5 ms of every start.
 */
export function monotonicMs(): number {
  return process.uptime() * 1000;
}
