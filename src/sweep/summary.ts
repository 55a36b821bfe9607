import type { LockEntry, Summary } from '../report/types.js';

export function summarize(locks: LockEntry[], problems: number, durationMs: number): Summary {
  const count = (predicate: (entry: LockEntry) => boolean) => locks.filter(predicate).length;
  return {
    locks: locks.length,
    live: count((entry) => entry.verdict === 'live'),
    stale: count((entry) => entry.verdict === 'stale'),
    unknown: count((entry) => entry.verdict === 'unknown'),
    reclaimed: count((entry) => entry.action === 'reclaimed'),
    errors: count((entry) => entry.action === 'failed') + problems,
    durationMs: Math.round(durationMs * 100) / 100,
  };
}
