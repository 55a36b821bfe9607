// A plain-data --json report with `locks` stale session locks, for the report's unit tests.
import type { Report } from '../../src/report/types.js';
import { modelOf } from './model-fixture.js';

export function reportWith(locks: number, extra: Partial<Report> = {}): Report {
  return {
    version: 1,
    mode: 'sweep',
    dryRun: false,
    namespace: modelOf(),
    volumes: [{ stateDir: '/s', mode: 'exclusive', basis: 'presence-lock', filesystem: { type: 'ext2/3/4', local: true } }],
    locks: Array.from({ length: locks }, (_, i) => ({ path: `/s/agents/a/sessions/${i}.jsonl.lock`, kind: 'openclaw-session' as const, owner: { pid: i + 1 }, verdict: 'stale' as const, reasons: ['dead-pid' as const], action: 'reclaimed' as const })),
    summary: { locks, live: 0, stale: locks, unknown: 0, reclaimed: locks, errors: 0, durationMs: 1 },
    ...extra,
  };
}
