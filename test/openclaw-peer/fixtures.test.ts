// The committed openclaw@2026.9.6 crash fixtures (scripts/openclaw-fixtures.mjs) re-dated onto this
// machine: times move, nothing else does, and lockguard judges the re-dated gateway crash as the
// real one. Runs in the main suite: it needs the fixtures, not the peer install.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runSweep } from '../helpers/run.js';
import { makeTempDir, removeTempDirs } from '../helpers/state.js';
import { readManifest, redateFixture, splitPayload, uptimeMs } from './fixtures.js';
import { clockTicksPerSecond, gatewayOwnerRow, readLeaseRows, readLockFile } from './harness.js';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const CLOCK_TICKS = clockTicksPerSecond();
const CRASH_AGO_MS = 20_000;

beforeAll(() => assertBuilt());
afterEach(() => removeTempDirs());

function redated(name: string) {
  const target = join(makeTempDir('lockguard-fixture-'), 'state');
  return { manifest: readManifest(join(FIXTURES, name)), ...redateFixture(join(FIXTURES, name), target, { crashAgoMs: CRASH_AGO_MS, clockTicks: CLOCK_TICKS }) };
}

function ticksToUptimeMs(ticks: number): number {
  return (ticks * 1000) / CLOCK_TICKS;
}

describe.each(['gateway-crash', 'agent-crash', 'sidecar-crash', 'guard-crash'])('fixture %s, re-dated', (name) => {
  it('keeps every byte but the times, and puts each time at its offset from the new crash', () => {
    const { manifest, stateDir, crash } = redated(name);
    for (const file of manifest.files.filter((entry) => entry.times.length > 0)) {
      const original = splitPayload(readFileSync(join(FIXTURES, name, 'state', file.path), 'utf8'));
      const now = splitPayload(readLockFile(stateDir, file.path).raw!);
      expect(now.token, file.path).toBe(original.token);
      for (const time of file.times) {
        const value = now.json[time.field];
        if (time.unit === 'iso') expect(Date.parse(String(value)) - crash.wallMs).toBe(time.offsetMs);
        else expect(Math.abs(ticksToUptimeMs(Number(value)) - crash.uptimeMs - time.offsetMs)).toBeLessThanOrEqual(1000 / CLOCK_TICKS);
        delete now.json[time.field];
        delete original.json[time.field];
      }
      expect(now.json, `${file.path}: everything but the times unchanged`).toEqual(original.json);
    }
    const rows = readLeaseRows(stateDir);
    for (const row of manifest.rows) {
      const found = row.table === 'state_leases' ? rows.stateLeases.find((r) => r.scope === row.key.scope) : rows.agentDatabaseLeases.find((r) => r.lease_id === row.key.lease_id);
      expect(found, `${row.table} ${JSON.stringify(row.key)}`).toBeDefined();
      for (const time of row.times.filter((t) => t.unit === 'epoch-ms')) expect((found as unknown as Record<string, number>)[time.field]! - crash.wallMs).toBe(time.offsetMs);
    }
  });
});

describe('the re-dated guard crash', () => {
  it('has the dead reclaimer\'s empty guard directory beside the stale lock', () => {
    const { stateDir } = redated('guard-crash');
    expect(readLockFile(stateDir, 'openclaw.json.lock.reclaim')).toMatchObject({ type: 'directory' });
    expect(readLockFile(stateDir, 'openclaw.json.lock').json).toMatchObject({ pid: 1 });
  });
});

describe('the re-dated gateway crash', () => {
  it('still correlates: the row names the lock files owner token, pid and start ticks', () => {
    const { stateDir } = redated('gateway-crash');
    const row = gatewayOwnerRow(readLeaseRows(stateDir))!;
    const lock = readLockFile(stateDir, 'tmp/openclaw-0/gateway.state.lock').json!;
    const owner = JSON.parse(row.payload_json!).owner as { pid: number; startedAt: number };
    expect(row.owner).toBe(lock.ownerId);
    expect(owner.pid).toBe(lock.pid);
    expect(owner.startedAt).toBe(lock.startTime);
  });

  it('is judged stale from a new PID namespace: both gateway locks and the gateway-owner row', async () => {
    const { stateDir } = redated('gateway-crash');
    const { report } = await runSweep(['--dry-run', '--state-dir', stateDir]);
    const verdicts = Object.fromEntries(report.locks.map((entry) => [entry.path.slice(stateDir.length + 1), `${entry.verdict} ${entry.reasons.join(',')}`]));
    expect(verdicts['tmp/openclaw-0/gateway.state.lock']).toBe('stale previous-namespace');
    expect(Object.entries(verdicts).filter(([path]) => path.endsWith('#state_leases/gateway-owner/global')).map(([, verdict]) => verdict)).toEqual(['stale previous-namespace']);
  });

  it('refuses, in one line, a crash older than this boot allows', () => {
    const target = join(makeTempDir('lockguard-fixture-'), 'state');
    const tooLong = uptimeMs() + 3_600_000;
    expect(() => redateFixture(join(FIXTURES, 'gateway-crash'), target, { crashAgoMs: tooLong, clockTicks: CLOCK_TICKS })).toThrow(/has been up \d+ ms; fixture .* needs \d+ ms/);
  });
});
