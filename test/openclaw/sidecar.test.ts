// fs-safe sidecar locks and reclaim guards (issue 10, item 1) as openclaw@2026.9.6 leaves them: the
// committed sidecar and guard crashes, re-dated onto this boot, and live holders in other PID namespaces.
// A dead reclaimer's empty `.reclaim` guard makes every later OpenClaw writer of its lock time out.
import { lstatSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, holdOpen, runSweep, shAsPid1, stopHelpers } from '../helpers/run.js';
import { entryFor, judgedAs, parseReport } from '../helpers/sweep-report.js';
import { exists, makeTempDir, removeTempDirs } from '../helpers/state.js';
import { PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { redateFixture } from '../openclaw-peer/fixtures.js';
import { clockTicksPerSecond } from '../openclaw-peer/harness.js';

const FIXTURES = fileURLToPath(new URL('../openclaw-peer/fixtures', import.meta.url));
/** The crashes happened this long ago: a container restart's worth, well inside the 30 s grace. */
const CRASH_AGO_MS = PREDATES_NAMESPACE_MS;
/** fs-safe's ownership token: 8 tabs, then 128 tabs or spaces (one per random bit). */
const TOKEN = '\t'.repeat(8) + ' \t'.repeat(64);

beforeAll(() => assertBuilt());
afterEach(async () => {
  await stopHelpers();
  removeTempDirs();
});

function crashed(name: 'sidecar-crash' | 'guard-crash'): string {
  const stateDir = join(makeTempDir('lockguard-sidecar-'), 'state');
  redateFixture(join(FIXTURES, name), stateDir, { crashAgoMs: CRASH_AGO_MS, clockTicks: clockTicksPerSecond() });
  return stateDir;
}

describe('fs-safe sidecar locks', () => {
  it('of a SIGKILLed holder are found where 2026.9 puts them and reclaimed', async () => {
    const stateDir = crashed('sidecar-crash');
    const config = join(stateDir, 'openclaw.json.lock');
    const authStore = join(stateDir, 'agents/main/agent/openclaw-agent.sqlite.lock');
    const { code, report, stderr } = await runSweep(['--state-dir', stateDir]);
    expect(code, stderr).toBe(0);
    for (const lock of [config, authStore]) {
      expect(entryFor(report, lock)).toMatchObject({ kind: 'openclaw-sidecar', verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed', owner: { pid: 1 } });
      expect(exists(lock)).toBe(false);
    }
  });

  it.each(['auto', 'shared', 'exclusive'])('of a live holder in another PID namespace are kept byte for byte (--volume %s)', async (mode) => {
    const stateDir = join(makeTempDir('lockguard-sidecar-'), 'state');
    mkdirSync(join(stateDir, 'agents/main/agent'), { recursive: true });
    const lock = join(stateDir, 'agents/main/agent/openclaw-agent.sqlite.lock');
    const bytes = `${JSON.stringify({ pid: 1, createdAt: new Date(Date.now() - 60_000).toISOString(), starttime: 4410 }, null, 2)}\n${TOKEN}\n`;
    const holder = await holdOpen(lock, 'create', bytes, ['unshare', '--pid', '--fork', '--mount-proc']);
    const { code, report, stderr } = await runSweep(['--state-dir', stateDir, '--volume', mode]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, lock)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
    expect(readFileSync(lock, 'utf8')).toBe(bytes);
    expect(lstatSync(lock).ino).toBe(holder.ino);
  });
});

describe('a dead reclaimer\'s empty .reclaim guard', () => {
  it('is cleared with the stale lock under it when it predates this namespace, though it is younger than the grace', async () => {
    const stateDir = crashed('guard-crash');
    const lock = join(stateDir, 'openclaw.json.lock');
    const { code, report, stderr } = await runSweep(['--state-dir', stateDir]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, `${lock}.reclaim`)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
    expect(judgedAs(report, lock)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
    expect([exists(lock), exists(`${lock}.reclaim`)]).toEqual([false, false]);
  });

  it('is kept, with a note on what would clear it, on a volume declared shared', async () => {
    const stateDir = crashed('guard-crash');
    const guard = join(stateDir, 'openclaw.json.lock.reclaim');
    const { report } = await runSweep(['--state-dir', stateDir, '--volume', 'shared']);
    expect(entryFor(report, guard)).toMatchObject({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept', error: expect.stringMatching(/names no owner.*Remove it by hand/) });
    expect(exists(guard)).toBe(true);
  });
});

describe('a live reclaimer\'s guard: made after this PID namespace was born', () => {
  it.each(['auto', 'exclusive', 'shared'])('is kept, and so is the stale lock under it (--volume %s)', async (mode) => {
    const stateDir = crashed('guard-crash');
    const lock = join(stateDir, 'openclaw.json.lock');
    rmdirSync(`${lock}.reclaim`);
    // PID 1 of the new namespace makes the guard, as a reclaimer in this container would, then sweeps.
    const { code, stdout, stderr } = await shAsPid1('sleep 0.3; mkdir "$GUARD"; $LOCKGUARD sweep --json --volume "$MODE" --state-dir "$STATE"', { GUARD: `${lock}.reclaim`, MODE: mode, STATE: stateDir });
    expect(code, stderr).toBe(0);
    const report = parseReport(stdout);
    expect(entryFor(report, `${lock}.reclaim`)).toMatchObject({ verdict: 'unknown', action: 'kept' });
    if (mode !== 'shared') {
      expect(judgedAs(report, `${lock}.reclaim`).reasons).toEqual(['no-owner']);
      expect(entryFor(report, lock)).toMatchObject({ verdict: 'stale', action: 'kept', error: expect.stringMatching(/another reclaimer holds its \.reclaim guard/) });
    }
    expect([exists(lock), exists(`${lock}.reclaim`)]).toEqual([true, true]);
  });
});
