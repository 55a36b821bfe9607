// Process start times: /proc/<pid>/stat counts them in clock ticks since boot; verdicts compare epoch ms.
import type { NamespaceModel } from './types.js';

/** Epoch ms at which a process with this starttime (ticks since boot) started. */
export function startMs(starttimeTicks: number, model: Pick<NamespaceModel, 'bootMs' | 'clockTicks'>): number {
  return model.bootMs + (starttimeTicks * 1000) / model.clockTicks;
}

/** A start recorded in ms by another clock reading (payloads' pidStartTimeMs) agrees with ours only to within this. */
export const START_TOLERANCE_MS = 1_500;
