import { expect, it } from 'vitest';
import { writeJsonReport } from '../../src/report/json.js';
import type { Report } from '../../src/report/types.js';
import { modelOf } from './model-fixture.js';

function reportWith(locks: number, extra: Partial<Report> = {}): Report {
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

it.each([0, 1, 3_000])('writes exactly JSON.stringify of the report, in pieces (%i locks)', (count) => {
  const report = reportWith(count, count ? { problems: [{ path: '/x', message: 'm' }], interrupted: 'SIGTERM' } : {});
  const pieces: string[] = [];
  writeJsonReport(report, (text) => pieces.push(text));
  expect(pieces.join('')).toBe(JSON.stringify(report) + '\n');
  if (count === 3_000) expect(pieces.length).toBeGreaterThan(1);
});
