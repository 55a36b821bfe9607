// OpenClaw releases a lock by closing its fd, then removing the file. A stale lock whose owner may live
// out of sight is therefore reclaimed after a settle time, and only if it is still unchanged: an owner
// that was releasing it has removed it by then, and the next holder's new lock must survive.
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
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

it('a lock released (closed, then removed) while it settles is not reclaimed, and the next holder keeps its lock', async () => {
  const state = makeStateDir();
  const out = makeTempDir();
  const lock = state.lockPath('released');
  writeSessionLock(lock, { pid: 7, starttime: 1 }, ago(PREDATES_NAMESPACE_MS));
  const marker = join(out, 'paused');

  const sweep = runSweep(['--state-dir', state.dir, '--volume', 'exclusive'], { env: { LOCKGUARD_TEST_PAUSE_AT: 'settling', LOCKGUARD_TEST_PAUSE_FILE: marker } });
  expect(await waitForPause(marker, sweep)).toMatchObject({ step: 'settling', path: lock });
  // The owner finishes its release (its late remove), and a live gateway takes the session at once.
  unlinkSync(lock);
  await startHelper([NODE, LOCK_WRITER, lock, 'hold']);
  const taken = fingerprint(lock);
  unlinkSync(marker);

  const { code, report, stderr } = await sweep;
  expect(code, stderr).toBe(0);
  expect(judgedAs(report, lock)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
  const now = fingerprint(lock);
  expect(now.ino).toBe(taken.ino);
  expect(now.bytes.equals(taken.bytes)).toBe(true);
  expect(reclaimLeftovers(state.dir)).toEqual([]);
});

it('a lock still unchanged after the settle time is reclaimed', async () => {
  const state = makeStateDir();
  const lock = state.lockPath('dead');
  writeSessionLock(lock, { pid: 7, starttime: 1 }, ago(PREDATES_NAMESPACE_MS));
  const { code, report, stderr } = await runSweep(['--state-dir', state.dir]);
  expect(code, stderr).toBe(0);
  expect(entryFor(report, lock)).toMatchObject({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
  expect(existsSync(lock)).toBe(false);
});
