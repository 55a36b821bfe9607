// Correlated evidence (issue 10, item 2) on what openclaw@2026.9.6 really leaves: the committed gateway
// crash, re-dated onto this boot. Its gateway-owner row names the gateway lock files' owner token, pid and
// start ticks. Any live OpenClaw process (a CLI, doctor, an agent run) holds state/openclaw.sqlite open,
// which alone would keep every row (shared-volume); the row shares the fate of its owner's lock files.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, holdOpen, NODE, runSweep, startHelper, stopHelpers } from '../helpers/run.js';
import { entryFor, judgedAs } from '../helpers/sweep-report.js';
import { fingerprint, makeTempDir, removeTempDirs } from '../helpers/state.js';
import { PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { redateFixture } from '../openclaw-peer/fixtures.js';
import { clockTicksPerSecond, DB_HOLDER, gatewayOwnerRow, readLeaseRows } from '../openclaw-peer/harness.js';

const GATEWAY_CRASH = fileURLToPath(new URL('../openclaw-peer/fixtures/gateway-crash', import.meta.url));
const STATE_LOCK = 'tmp/openclaw-0/gateway.state.lock';
const CONFIG_LOCK = 'tmp/openclaw-0/gateway.7406df2a.lock';
const ROW = '#state_leases/gateway-owner/global';

beforeAll(() => assertBuilt());
afterEach(async () => {
  await stopHelpers();
  removeTempDirs();
});

/** The gateway crash of a restart ago (PREDATES_NAMESPACE_MS), and the paths the report names. */
function crashed() {
  const stateDir = join(makeTempDir('lockguard-correlation-'), 'state');
  redateFixture(GATEWAY_CRASH, stateDir, { crashAgoMs: PREDATES_NAMESPACE_MS, clockTicks: clockTicksPerSecond() });
  const db = join(stateDir, 'state', 'openclaw.sqlite');
  return { stateDir, db, row: `sqlite:${db}${ROW}`, stateLock: join(stateDir, STATE_LOCK), configLock: join(stateDir, CONFIG_LOCK) };
}

/** A process that keeps state/openclaw.sqlite open read-write, as every running OpenClaw CLI does, in its own PID namespace. */
function holdDatabase(db: string) {
  return startHelper([NODE, DB_HOLDER, db], { ready: /^ready/m, pid1: true });
}

describe('a dead gateway\'s row while an unrelated process holds state/openclaw.sqlite open', () => {
  it('is reclaimed with its lock files (owner-lock-stale), by compare-and-delete on its owner token', async () => {
    const { stateDir, db, row, stateLock, configLock } = crashed();
    await holdDatabase(db);
    const { code, report, stderr } = await runSweep(['--state-dir', stateDir]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, stateLock)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
    expect(judgedAs(report, configLock)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
    expect(judgedAs(report, row)).toEqual({ verdict: 'stale', reasons: ['owner-lock-stale'], action: 'reclaimed' });
    expect(entryFor(report, row).owner).toMatchObject({ pid: 1, ownerId: entryFor(report, stateLock).owner.ownerId, host: 'box-a' });
    expect(gatewayOwnerRow(readLeaseRows(stateDir))).toBeUndefined();
  });

  it('alone, without its lock files, is kept as on a shared volume: the holder may be its owner in another container', async () => {
    const { stateDir, db, row, stateLock, configLock } = crashed();
    rmSync(stateLock);
    rmSync(configLock);
    await holdDatabase(db);
    const { code, report, stderr } = await runSweep(['--state-dir', stateDir]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, row)).toEqual({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
    expect(gatewayOwnerRow(readLeaseRows(stateDir))).toBeDefined();
  });
});

describe('a live gateway: its lock files held open from another PID namespace', () => {
  it.each([
    ['auto', 'a DB holder'],
    ['shared', 'a DB holder'],
    ['exclusive', 'a DB holder'],
    ['exclusive', 'nothing else'],
  ])('its row stays live (owner-lock-live) and nothing of it changes, --volume %s, with %s holding the DB open', async (mode, others) => {
    const { stateDir, db, row, stateLock, configLock } = crashed();
    const holders = [await holdOpen(stateLock, 'open'), await holdOpen(configLock, 'open')];
    if (others === 'a DB holder') await holdDatabase(db);
    const identity = (path: string) => {
      const { bytes, ino, mtimeNs } = fingerprint(path);
      return { bytes, ino, mtimeNs };
    };
    const before = [identity(stateLock), identity(configLock)];
    const rowBefore = gatewayOwnerRow(readLeaseRows(stateDir));
    const { code, report, stderr } = await runSweep(['--state-dir', stateDir, '--volume', mode]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, stateLock)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
    expect(judgedAs(report, row)).toEqual({ verdict: 'live', reasons: ['owner-lock-live'], action: 'kept' });
    expect([identity(stateLock), identity(configLock)]).toEqual(before);
    expect(gatewayOwnerRow(readLeaseRows(stateDir))).toEqual(rowBefore);
    expect(holders.map((holder) => holder.ino)).toEqual(before.map((print) => Number(print.ino)));
  });
});
