// The short stress run inside `npm test` (issue 5): writers in 3 PID namespaces, chaos kills,
// lockguard sweeps back to back; the independent oracle must count 0 violations. The oracle is
// also shown to count real ones: on hand-made journals, and on a run with a rogue deleter.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE, ROOT, run } from './helpers/run.js';

const RUN = join(ROOT, 'stress', 'run.mjs');
const ORACLE = join(ROOT, 'stress', 'oracle.mjs');

interface StressSummary {
  ok: boolean;
  writers: number;
  acquisitions: number;
  kills: number;
  reclaimed: number;
  reclaimsByReason: Record<string, number>;
  lockguardCrashes: number;
  /** Sweeps whose report the published JSON Schema refused. */
  invalidReports: number;
  violations: number;
  lostLocks: number;
  journalAnomalies: number;
  maxSimultaneousHoldersPerLock: number;
  afterFinalSweeps: { locks: number; guards: number; leftovers: number };
  violationDetails: string[];
}

async function stress(args: string[]): Promise<StressSummary> {
  const ran = await run([NODE, RUN, '--json', ...args], { pid1: false, timeoutMs: 120_000 });
  const line = ran.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as StressSummary;
  } catch {
    throw new Error(`stress run printed no summary (exit ${ran.code ?? ran.signal}): ${ran.stderr.slice(-2000)}`);
  }
}

describe('stress', () => {
  it('the oracle counts a hand-made violation', async () => {
    const ran = await run([NODE, ORACLE, '--self-check'], { pid1: false });
    expect(ran.code, ran.stdout).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ violations: 1, maxHolders: 2, killedMidHold: 1 });
  });

  it('a rogue deleter in a live run is caught', { timeout: 120_000 }, async () => {
    const summary = await stress(['--duration', '4s', '--sweepers', '0', '--sabotage']);
    expect(summary.ok).toBe(false);
    expect(summary.violations).toBeGreaterThan(0);
  });

  it('12 writers in 3 namespaces, chaos kills and back-to-back sweeps: 0 violations', { timeout: 120_000 }, async () => {
    const summary = await stress(['--duration', '10s']);
    console.log(`[stress] ${JSON.stringify(summary)}`);
    expect(summary.writers).toBeGreaterThanOrEqual(12);
    expect(summary.acquisitions).toBeGreaterThan(0);
    expect(summary.kills).toBeGreaterThan(0);
    expect(summary.reclaimed).toBeGreaterThan(0);
    expect(summary.violationDetails).toEqual([]);
    expect(summary.violations).toBe(0);
    expect(summary.journalAnomalies).toBe(0);
    expect(summary.lockguardCrashes).toBe(0);
    expect(summary.invalidReports).toBe(0);
    expect(summary.maxSimultaneousHoldersPerLock).toBe(1);
    expect(summary.afterFinalSweeps).toEqual({ locks: 0, guards: 0, leftovers: 0, paths: [] });
    expect(summary.ok).toBe(true);
  });
});
