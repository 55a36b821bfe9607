// Test 9 (issue 2): a reclaim race. lockguard judges a lock stale, then (held at a test pause point) the
// lock is replaced: removed and taken anew by a live holder, or rewritten in place. The new lock survives
// byte for byte (same inode), the entry fails naming the race, and no .reclaim or .lockguard-* is left.
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, LOCK_WRITER, NODE, runSweep, startHelper, stopHelpers } from '../helpers/run.js';
import { waitForPause } from '../helpers/wait.js';
import { entryFor, judgedAs } from '../helpers/sweep-report.js';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { fingerprint, makeStateDir, makeTempDir, reclaimLeftovers, removeTempDirs, writeSessionLock } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await stopHelpers();
  removeTempDirs();
});

describe('a lock replaced between judging and reclaiming', () => {
  it.each([
    { step: 'judged', how: 'replaced' },
    { step: 'guard-taken', how: 'replaced' },
    { step: 'judged', how: 'rewritten' },
  ] as const)('at $step, $how: the new lock survives byte for byte and the race is reported', async ({ step, how }) => {
    const state = makeStateDir();
    const out = makeTempDir();
    const lock = state.lockPath('raced');
    writeSessionLock(lock, { pid: 7, starttime: 1 }, ago(PREDATES_NAMESPACE_MS));
    const marker = join(out, 'paused');

    const sweep = runSweep(['--state-dir', state.dir], { env: { LOCKGUARD_TEST_PAUSE_AT: step, LOCKGUARD_TEST_PAUSE_FILE: marker } });
    const paused = await waitForPause(marker, sweep);
    expect(paused).toMatchObject({ step, path: lock });

    if (how === 'replaced') {
      // The stale owner's lock goes, and a live gateway takes the session at once (open "wx", fd held).
      unlinkSync(lock);
      await startHelper([NODE, LOCK_WRITER, lock, 'hold']);
    } else {
      writeFileSync(lock, JSON.stringify({ pid: 4242, createdAt: new Date().toISOString(), note: 'rewritten in place' }));
    }
    const replacement = fingerprint(lock);
    unlinkSync(marker);

    const { code, report, stderr } = await sweep;
    const entry = entryFor(report, lock);
    expect({ verdict: entry.verdict, reasons: entry.reasons }).toEqual({ verdict: 'stale', reasons: ['previous-namespace'] });
    // Not reclaimed: failed (an entry not handled, exit 1) or kept (exit 0), with an error that names the race.
    expect(['failed', 'kept']).toContain(entry.action);
    expect(entry.error).toMatch(how === 'replaced' ? /replaced|rewritten/ : /rewritten/);
    expect(code, stderr).toBe(entry.action === 'failed' ? 1 : 0);
    expect(report.summary).toMatchObject({ locks: 1, reclaimed: 0, errors: entry.action === 'failed' ? 1 : 0 });

    const now = fingerprint(lock);
    expect(now.bytes.equals(replacement.bytes)).toBe(true);
    expect(now.ino).toBe(replacement.ino);
    expect(now.mtimeNs).toBe(replacement.mtimeNs);
    expect(reclaimLeftovers(state.dir)).toEqual([]);

    if (how === 'replaced') {
      // And the next sweep sees the new owner holding it.
      const next = await runSweep(['--state-dir', state.dir]);
      expect(next.code, next.stderr).toBe(0);
      expect(judgedAs(next.report, lock)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
    }
  });
});
