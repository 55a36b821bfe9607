// Test 8 (issue 2): the presence lock. While another process holds LOCK_SH on <state>/.lockguard/presence
// (util-linux flock, standing in for a second lockguard), auto resolves to shared and a previous-namespace
// lock is kept (shared-volume). Without it, auto resolves to exclusive and the lock is reclaimed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runSweep, startHelper, stopHelpers } from '../helpers/run.js';
import { judgedAs } from '../helpers/sweep-report.js';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { exists, fingerprint, makeStateDir, reclaimLeftovers, removeTempDirs, writeSessionLock } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await stopHelpers();
  removeTempDirs();
});

describe('the presence lock', () => {
  it('makes auto shared while another holder has LOCK_SH (lock kept), and exclusive once it is gone (lock reclaimed)', async () => {
    const state = makeStateDir();
    const lock = state.lockPath('previous');
    const bytes = writeSessionLock(lock, { pid: 7, starttime: 4242 }, ago(PREDATES_NAMESPACE_MS));
    const presence = join(state.dir, '.lockguard', 'presence');
    mkdirSync(join(state.dir, '.lockguard'));
    // flock -o: the lock is held by flock itself, not inherited by the command; "ready" is printed once it is held.
    await startHelper(['flock', '--shared', '--nonblock', '-o', presence, 'sh', '-c', 'echo ready; exec sleep 60']);

    const shared = await runSweep(['--state-dir', state.dir]);
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.report.volumes).toMatchObject([{ stateDir: state.dir, mode: 'shared', basis: 'presence-lock' }]);
    expect(judgedAs(shared.report, lock)).toEqual({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
    expect(fingerprint(lock).bytes.equals(bytes)).toBe(true);

    await stopHelpers();
    const exclusive = await runSweep(['--state-dir', state.dir]);
    expect(exclusive.code, exclusive.stderr).toBe(0);
    expect(exclusive.report.volumes).toMatchObject([{ stateDir: state.dir, mode: 'exclusive', basis: 'presence-lock' }]);
    expect(judgedAs(exclusive.report, lock)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
    expect(exists(lock)).toBe(false);
    expect(reclaimLeftovers(state.dir)).toEqual([]);
  });
});
