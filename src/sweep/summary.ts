import type { LockEntry, Summary } from '../report/types.js';

/** Counts entries as they come; keeps them only for a report that lists them (inspect), or hands each on (--json). */
export class Tally {
  readonly entries: LockEntry[] = [];
  readonly #counts = { locks: 0, live: 0, stale: 0, unknown: 0, reclaimed: 0, failed: 0, kept: 0 };

  constructor(private readonly keep: 'count' | 'list' | ((entry: LockEntry) => void)) {}

  add(entry: LockEntry): void {
    const counts = this.#counts;
    counts.locks++;
    counts[entry.verdict]++;
    if (entry.action === 'reclaimed') counts.reclaimed++;
    else if (entry.action === 'failed') counts.failed++;
    else if (entry.action === 'kept') counts.kept++;
    if (this.keep === 'list') this.entries.push(entry);
    else if (this.keep !== 'count') this.keep(entry);
  }

  get kept(): number {
    return this.#counts.kept;
  }

  summary(problems: number, durationMs: number): Summary {
    const { locks, live, stale, unknown, reclaimed, failed } = this.#counts;
    return { locks, live, stale, unknown, reclaimed, errors: failed + problems, durationMs: Math.round(durationMs * 100) / 100 };
  }
}
