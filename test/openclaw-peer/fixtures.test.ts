// The committed openclaw@2026.9.6 crash fixtures (scripts/openclaw-fixtures.mjs) re-dated onto this
// machine: times move, nothing else does, and lockguard judges the re-dated gateway crash as the
// real one. examples/demo-state (the demo's volume: the gateway crash plus session locks of
// OpenClaw before 2026.8) is made and re-dated the same way. Runs in the main suite: it needs the
// fixtures, not the peer install.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runSweep } from '../helpers/run.js';
import { makeTempDir, removeTempDirs } from '../helpers/state.js';
import { PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { readManifest, redateFixture, splitPayload, uptimeMs } from './fixtures.js';
import { clockTicksPerSecond, gatewayOwnerRow, readLeaseRows, readLockFile } from './harness.js';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const DEMO_STATE = fileURLToPath(new URL('../../examples/demo-state', import.meta.url));
const CLOCK_TICKS = clockTicksPerSecond();
/** A container restart's worth: the gateway crash, whose processes started 12.8 s before it, needs a boot up for 18 s. */
const CRASH_AGO_MS = PREDATES_NAMESPACE_MS;

beforeAll(() => assertBuilt());
afterEach(() => removeTempDirs());

function fixtureDir(name: string): string {
  return name === 'examples/demo-state' ? DEMO_STATE : join(FIXTURES, name);
}

function redated(name: string) {
  const target = join(makeTempDir('lockguard-fixture-'), 'state');
  return { manifest: readManifest(fixtureDir(name)), ...redateFixture(fixtureDir(name), target, { crashAgoMs: CRASH_AGO_MS, clockTicks: CLOCK_TICKS }) };
}

function ticksToUptimeMs(ticks: number): number {
  return (ticks * 1000) / CLOCK_TICKS;
}

describe.each(['gateway-crash', 'agent-crash', 'sidecar-crash', 'guard-crash', 'examples/demo-state'])('fixture %s, re-dated', (name) => {
  it('keeps every byte but the times, and puts each time at its offset from the new crash', () => {
    const { manifest, stateDir, crash } = redated(name);
    for (const file of manifest.files.filter((entry) => entry.times.length > 0)) {
      const original = splitPayload(readFileSync(join(fixtureDir(name), 'state', file.path), 'utf8'));
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

describe('the re-dated demo state (examples/demo-state)', () => {
  it('is the gateway crash, byte for byte but the times, with the session locks of OpenClaw before 2026.8 beside it', () => {
    const demo = readManifest(DEMO_STATE);
    const crash = readManifest(join(FIXTURES, 'gateway-crash'));
    expect(demo.files.slice(0, crash.files.length)).toEqual(crash.files);
    expect(demo.rows).toEqual(crash.rows);
    for (const file of crash.files.filter((entry) => entry.type === 'file')) {
      expect(readFileSync(join(DEMO_STATE, 'state', file.path)), file.path).toEqual(readFileSync(join(FIXTURES, 'gateway-crash', 'state', file.path)));
    }
    expect(demo.files.slice(crash.files.length).map((file) => `${file.kind} ${file.path}`)).toEqual([
      'openclaw-session (before 2026.8) agents/main/sessions/main.jsonl.lock',
      'openclaw-session (before 2026.8) agents/main/sessions/chat-7.jsonl.lock',
      'openclaw-session (before 2026.8) agents/ops/sessions/broken.jsonl.lock',
    ]);
  });

  it('is swept from a new PID namespace as the demo shows: every lock and the gateway-owner row stale, for the reason it names', async () => {
    const { stateDir } = redated('examples/demo-state');
    const { report } = await runSweep(['--dry-run', '--volume', 'exclusive', '--state-dir', stateDir]);
    const verdicts = Object.fromEntries(report.locks.map((entry) => [entry.path.replace(/^(sqlite:)?.*?\/state\//, ''), `${entry.verdict} ${entry.reasons.join(',')}`]));
    expect(verdicts).toEqual({
      'tmp/openclaw-0/gateway.state.lock': 'stale previous-namespace',
      'tmp/openclaw-0/gateway.7406df2a.lock': 'stale previous-namespace',
      'state/openclaw.sqlite#state_leases/gateway-owner/global': 'stale previous-namespace',
      'agents/main/sessions/main.jsonl.lock': 'stale previous-namespace',
      'agents/main/sessions/chat-7.jsonl.lock': 'stale previous-namespace',
      'agents/ops/sessions/broken.jsonl.lock': 'stale malformed',
    });
  });
});
