// Test 3 (issue 2): a live holder in another PID namespace keeps its lock's fd open. lockguard, as PID 1
// of its own fresh namespace, keeps the lock (held-open) in every volume mode, exclusive included,
// although the lock looks like a previous namespace's; once the holder is gone, the same lock is reclaimed.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, LOCK_WRITER, NODE, runSweep, startHelper, stopHelpers } from '../helpers/run.js';
import { judgedAs } from '../helpers/sweep-report.js';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { exists, fingerprint, makeStateDir, reclaimLeftovers, removeTempDirs, setTimes } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await stopHelpers();
  removeTempDirs();
});

describe('a live holder in another PID namespace', () => {
  it('is kept as held-open in auto, shared and exclusive modes, its bytes untouched', async () => {
    const state = makeStateDir();
    const lock = state.lockPath('held');
    // The holder is PID 1 of its own namespace; its lock predates lockguard's namespaces, so only held-open can save it.
    await startHelper(['unshare', '--pid', '--fork', '--mount-proc', NODE, LOCK_WRITER, lock, 'hold', '--created-at-offset-ms', String(-PREDATES_NAMESPACE_MS)]);
    setTimes(lock, ago(PREDATES_NAMESPACE_MS));
    const before = fingerprint(lock);
    expect(JSON.parse(before.bytes.toString())).toMatchObject({ pid: 1 });

    for (const volume of ['auto', 'shared', 'exclusive'] as const) {
      const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', volume]);
      expect(code, stderr).toBe(0);
      expect(report.volumes[0]?.mode, volume).toBe(volume === 'shared' ? 'shared' : 'exclusive');
      expect(judgedAs(report, lock), volume).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
      const after = fingerprint(lock);
      expect(after.bytes.equals(before.bytes), volume).toBe(true);
      expect(after.ino).toBe(before.ino);
      expect(after.mtimeNs).toBe(before.mtimeNs);
    }
    expect(reclaimLeftovers(state.dir)).toEqual([]);

    // Control: the same lock, once its holder is dead, is a previous namespace's and is reclaimed.
    await stopHelpers();
    const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', 'exclusive']);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, lock)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
    expect(exists(lock)).toBe(false);
  });
});
