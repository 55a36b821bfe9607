// OpenClaw's SQLite lease rows and gateway locks, in the shapes openclaw@2026.9.6 writes (a lease
// owner's startedAt and a gateway lock's startTime in clock ticks, no namespace recorded; see
// docs/openclaw-2026.9.md): real SQLite files in WAL mode, real PID namespaces, the built lockguard
// as PID 1. A "previous container" is a PID namespace that existed and is gone.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ROWS } from '../../src/openclaw/lease-store.js';
import type { LockEntry, Report } from '../../src/report/types.js';
import { assertBuilt, hasStackTrace, must, runSweep, shAsPid1 } from '../helpers/run.js';
import { parseReport } from '../helpers/sweep-report.js';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { makeTempDir, removeTempDirs, setTimes } from '../helpers/state.js';
import { HOLDER, startHolder, type Holder } from './helpers/processes.js';
import { createStateDb, leaseKeys, STATE_LEASES_SQL } from './helpers/state-db.js';

const INSERT = fileURLToPath(new URL('./helpers/insert-lease.mjs', import.meta.url));
const MINUTE = 60_000;
/** fs-safe's ownership token after a lock's JSON: 8 tabs, then 128 tabs or spaces. */
const TOKEN_LINE = `${'\t'.repeat(8)}${' \t'.repeat(64)}`;
const holders: Holder[] = [];
/**
 * Files a test made immutable, made mutable again when it ends. Only these: a cleanup that made every
 * /tmp/lockguard-state-* mutable also freed the read-only DB of a run in progress beside this one
 * (another checkout's npm test on the same machine), which then lost its row.
 */
const immutable: string[] = [];

beforeAll(() => assertBuilt());
afterEach(async () => {
  await Promise.all(holders.splice(0).map((holder) => holder.stop()));
  for (const path of immutable.splice(0)) await must(['chattr', '-i', path]);
  removeTempDirs();
});

function stateDir(): { dir: string; db: string } {
  // Not lockguard-state-*: a run of an older checkout beside this one on the same machine may still make every one
  // of those mutable (see `immutable`), which would free test 6's read-only DB.
  const dir = makeTempDir('lockguard-leases-state-');
  mkdirSync(join(dir, 'state'));
  return { dir, db: join(dir, 'state', 'openclaw.sqlite') };
}

/** Rows a previous container's 2026.9 left: its gateway (pid 1) and its startup migrations (pid 7), each owner's start in ticks. */
function previousContainerRows() {
  const createdAt = ago(PREDATES_NAMESPACE_MS);
  return [
    {
      scope: 'gateway-owner',
      key: 'global',
      owner: randomUUID(),
      payload: { owner: { pid: 1, host: '3f9c2d1b7a6e', startedAt: 2573 }, port: 18789, mode: 'foreground', supervisor: null },
      createdAt,
      heartbeatAt: createdAt,
      expiresAt: createdAt + 5 * MINUTE,
    },
    { scope: 'startup-migrations', key: 'global', payload: { version: '2026.9.6', owner: { pid: 7, host: '3f9c2d1b7a6e', startedAt: 2610 } }, createdAt, expiresAt: createdAt + 10 * MINUTE },
  ];
}

const byPath = (report: Report, fragment: string): LockEntry => {
  const entry = report.locks.find((lock) => lock.path.includes(fragment));
  if (!entry) throw new Error(`no entry for ${fragment} in ${JSON.stringify(report.locks, null, 1)}`);
  return entry;
};

/** A gateway lock as 2026.9 writes it (fs-safe's pretty JSON and ownership token), taken `PREDATES_NAMESPACE_MS` ago. */
function gatewayLock(dir: string, ownerId = randomUUID()): { lock: string; coordinator: string; ownerId: string } {
  const lockDir = join(dir, 'tmp', 'openclaw-0');
  mkdirSync(lockDir, { recursive: true });
  const lock = join(lockDir, 'gateway.5d41402a.lock');
  const lockedAt = ago(PREDATES_NAMESPACE_MS);
  const payload = { pid: 1, ownerId, cronOwnerProjection: 'dynamic-default-v1', createdAt: new Date(lockedAt).toISOString(), configPath: join(dir, 'openclaw.json'), stateDir: dir, port: 18789, startTime: 1843 };
  writeFileSync(lock, `${JSON.stringify(payload, null, 2)}\n${TOKEN_LINE}\n`);
  setTimes(lock, lockedAt);
  return { lock, coordinator: `${lock}.sqlite`, ownerId };
}

describe('1. lease rows of a dead namespace', () => {
  it('reclaims the rows of pid 1 and pid 7 of a previous container, and leaves an expiry-only row to OpenClaw', async () => {
    const { dir, db } = stateDir();
    createStateDb(db, [...previousContainerRows(), { scope: 'qmd', key: 'agent:main', payload: { reason: 'maintenance' }, createdAt: Date.now(), expiresAt: Date.now() + MINUTE }]);
    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    expect(byPath(report, '#state_leases/gateway-owner/global')).toMatchObject({ kind: 'openclaw-lease', verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed', owner: { pid: 1, host: '3f9c2d1b7a6e', starttime: 2573 } });
    expect(byPath(report, '#state_leases/startup-migrations/global')).toMatchObject({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed', owner: { pid: 7 } });
    // An expiry-only row has no process owner: left to OpenClaw.
    expect(byPath(report, '#state_leases/qmd/agent:main')).toMatchObject({ verdict: 'unknown', reasons: ['no-owner'], action: 'kept' });
    expect(leaseKeys(db)).toEqual(['qmd/agent:main']);
    expect(byPath(report, 'gateway-owner').path).toBe(`sqlite:${db}#state_leases/gateway-owner/global`);
  });

  it('keeps a row whose owner is alive in our namespace with its start ticks, and reclaims a recycled one', async () => {
    const { dir, db } = stateDir();
    createStateDb(db, previousContainerRows());
    const { code, stdout, stderr } = await shAsPid1(
      `sleep 300 & S=$!
       ST=$(cut -d' ' -f22 /proc/$S/stat)
       $NODE ${INSERT} "$DB" startup-migrations live '{"version":"2026.9.6","owner":{"pid":'$S',"host":"me","startedAt":'$ST'}}'
       $NODE ${INSERT} "$DB" startup-migrations recycled '{"version":"2026.9.6","owner":{"pid":'$S',"host":"me","startedAt":'$((ST - 1))'}}'
       $LOCKGUARD sweep --json --volume exclusive --state-dir "$STATE"`,
      { DB: db, STATE: dir },
    );
    expect(code, stderr).toBe(0);
    const report = parseReport(stdout);
    expect(byPath(report, 'startup-migrations/live')).toMatchObject({ verdict: 'live', reasons: ['live-pid'], action: 'kept' });
    expect(byPath(report, 'startup-migrations/recycled')).toMatchObject({ verdict: 'stale', reasons: ['recycled-pid'], action: 'reclaimed' });
    expect(leaseKeys(db)).toEqual(['startup-migrations/live']);
  });
});

describe('2. a live process in another namespace keeps the shared DB open read-write', () => {
  it('deletes no row on the row\'s own proofs, which do not hold across namespaces (a row whose lock files prove it: correlation.test.ts)', async () => {
    const { dir, db } = stateDir();
    createStateDb(db, previousContainerRows());
    holders.push(await startHolder([db, 'WAL', 'open'], { namespace: true }));
    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    for (const key of ['gateway-owner/global', 'startup-migrations/global']) {
      expect(byPath(report, key)).toMatchObject({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
    }
    expect(leaseKeys(db)).toEqual(['gateway-owner/global', 'startup-migrations/global']);
  });
});

describe('3. another process holds BEGIN IMMEDIATE on the DB', () => {
  it('does not wait: reports busy, keeps the row it could prove stale, and exits 0', async () => {
    const { dir, db } = stateDir();
    const { lock, coordinator, ownerId } = gatewayLock(dir);
    writeFileSync(coordinator, ''); // free: the previous container's gateway died holding it
    const [row] = previousContainerRows();
    createStateDb(db, [{ ...row!, owner: ownerId, payload: { ...row!.payload, owner: { pid: 1, host: '3f9c2d1b7a6e', startedAt: 1843 } } }]);
    // A writer in our own namespace holds the write lock: the gateway lock proves the row's owner dead, the delete finds it busy.
    const { code, stdout, stderr } = await shAsPid1(
      `$NODE ${HOLDER} "$DB" WAL immediate > "$READY" &
       until grep -q ready "$READY" 2>/dev/null; do sleep 0.05; done
       $LOCKGUARD sweep --json --state-dir "$STATE"`,
      { DB: db, STATE: dir, READY: join(dir, 'holder.ready') },
    );
    expect(code, stderr).toBe(0);
    const report = parseReport(stdout);
    expect(report.summary.durationMs).toBeLessThan(1000);
    expect(byPath(report, lock)).toMatchObject({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
    expect(byPath(report, 'gateway-owner/global')).toMatchObject({ verdict: 'stale', reasons: ['owner-lock-stale'], action: 'kept', error: expect.stringMatching(/busy.*not waited for/) });
    expect(report.summary.errors).toBe(0);
    expect(leaseKeys(db)).toEqual(['gateway-owner/global']);
  });
});

describe('4. a gateway lock and its SQLite coordinator', () => {
  it('keeps the lock while a live process in another namespace holds BEGIN EXCLUSIVE on <lock>.sqlite', async () => {
    const { dir } = stateDir();
    const { lock, coordinator } = gatewayLock(dir);
    holders.push(await startHolder([coordinator, 'MEMORY', 'exclusive'], { namespace: true }));
    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    expect(byPath(report, 'gateway.5d41402a.lock')).toMatchObject({ kind: 'openclaw-gateway', verdict: 'live', reasons: ['held-lock'], action: 'kept' });
    expect(existsSync(lock)).toBe(true);
  });

  it('reclaims it once the coordinator is free, and leaves the coordinator where it is', async () => {
    const { dir } = stateDir();
    const { lock, coordinator, ownerId } = gatewayLock(dir);
    const holder = await startHolder([coordinator, 'MEMORY', 'exclusive'], { namespace: true });
    await holder.stop(); // The previous container died holding it: the kernel dropped the lock.
    const coordinatorBytes = readFileSync(coordinator);
    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    expect(byPath(report, 'gateway.5d41402a.lock')).toMatchObject({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed', owner: { pid: 1, ownerId, starttime: 1843 } });
    expect(existsSync(lock)).toBe(false);
    expect(readFileSync(coordinator).equals(coordinatorBytes)).toBe(true);
    expect(report.locks.some((entry) => entry.path.endsWith('.sqlite'))).toBe(false);
  });
});

// Kinds issue 7 described; no OpenClaw checked writes them (2026.5.28, 2026.7.35, 2026.8.2, 2026.9.6). Kept for any that did.
describe('5. exec-approvals and runtime-deps locks of a dead namespace', () => {
  it('reclaims exec-approvals.json.lock {pid: 8} and the runtime-deps directory, touching nothing else', async () => {
    const { dir } = stateDir();
    const approvals = join(dir, 'exec-approvals.json.lock');
    const lockedAt = ago(PREDATES_NAMESPACE_MS);
    writeFileSync(approvals, JSON.stringify({ pid: 8, createdAt: new Date(lockedAt).toISOString(), starttime: 2211 }));
    setTimes(approvals, lockedAt);
    writeFileSync(join(dir, 'exec-approvals.json'), '{"version":1}');

    const deps = join(dir, 'plugin-runtime-deps', 'openclaw-2026.9.2');
    mkdirSync(join(deps, 'node_modules', 'semver'), { recursive: true });
    writeFileSync(join(deps, 'package.json'), '{"name":"openclaw-runtime-deps-install"}');
    const lockDir = join(deps, '.openclaw-runtime-deps.lock');
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, 'owner.json'), `${JSON.stringify({ pid: 7, createdAtMs: lockedAt }, null, 2)}\n`);
    setTimes(join(lockDir, 'owner.json'), lockedAt);
    setTimes(lockDir, lockedAt);
    const before = readdirSync(join(dir, 'plugin-runtime-deps'), { recursive: true }).sort();

    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    expect(byPath(report, 'exec-approvals.json.lock')).toMatchObject({ kind: 'openclaw-exec-approvals', verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed', owner: { pid: 8 } });
    expect(byPath(report, '.openclaw-runtime-deps.lock')).toMatchObject({ kind: 'openclaw-runtime-deps', verdict: 'stale', action: 'reclaimed', owner: { pid: 7 } });
    expect(existsSync(approvals)).toBe(false);
    expect(existsSync(lockDir)).toBe(false);
    expect(readFileSync(join(dir, 'exec-approvals.json'), 'utf8')).toBe('{"version":1}');
    const after = readdirSync(join(dir, 'plugin-runtime-deps'), { recursive: true }).sort();
    expect(after).toEqual(before.filter((name) => !String(name).includes('.openclaw-runtime-deps.lock')));
  });

  it('keeps a runtime-deps lock whose owner is alive in this namespace', async () => {
    const { dir } = stateDir();
    const lockDir = join(dir, 'plugin-runtime-deps', 'openclaw-2026.9.2', '.openclaw-runtime-mirror.lock');
    mkdirSync(join(dir, 'plugin-runtime-deps', 'openclaw-2026.9.2'), { recursive: true });
    const { code, stdout, stderr } = await shAsPid1(
      `sleep 300 & S=$!
       mkdir "$LOCK"; printf '{"pid":%s,"startedAt":%s000}' $S $(date +%s) > "$LOCK/owner.json"
       $LOCKGUARD sweep --json --volume exclusive --state-dir "$STATE"`,
      { LOCK: lockDir, STATE: dir },
    );
    expect(code, stderr).toBe(0);
    expect(byPath(parseReport(stdout), '.openclaw-runtime-mirror.lock')).toMatchObject({ verdict: 'live', reasons: ['live-pid'], action: 'kept' });
    expect(readdirSync(lockDir)).toEqual(['owner.json']);
  });
});

describe('6. corrupt or unexpected DBs', () => {
  it('gives each a clear report line, does not crash and changes nothing', async () => {
    const first = stateDir();
    writeFileSync(first.db, 'PK\u0003\u0004 definitely not sqlite');
    const agentDb = (agent: string) => {
      mkdirSync(join(first.dir, 'agents', agent, 'agent'), { recursive: true });
      return join(first.dir, 'agents', agent, 'agent', 'openclaw-agent.sqlite');
    };
    const deadRow = previousContainerRows().slice(1, 2);
    const extra = agentDb('extra');
    createStateDb(extra, deadRow, { extraSql: 'ALTER TABLE state_leases ADD COLUMN fencing_token INTEGER' });
    const notJson = agentDb('notjson');
    createStateDb(notJson, [{ scope: 'gateway-owner', key: 'global', payload: 'pid=7 starttime=12', createdAt: ago(PREDATES_NAMESPACE_MS) }]);
    const readOnly = agentDb('readonly');
    createStateDb(readOnly, deadRow, { journal: 'DELETE' });
    await must(['chattr', '+i', readOnly]);
    immutable.push(readOnly);

    const second = stateDir();
    createStateDb(second.db, [], { extraSql: 'DROP TABLE state_leases; CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)' });

    const snapshot = () => [first.db, extra, notJson, readOnly, second.db].map((path) => readFileSync(path).toString('base64'));
    const before = snapshot();
    const { code, report, stderr } = await runSweep(['--state-dir', first.dir, '--state-dir', second.dir]);
    expect(hasStackTrace(stderr), stderr).toBe(false);
    expect(code).toBe(1); // Some entries could not be handled.
    const problem = (path: string) => report.problems?.find((entry) => entry.path === path)?.message;
    expect(problem(first.db)).toMatch(/not a SQLite database/);
    expect(problem(extra)).toMatch(/state_leases has columns .*fencing_token.* rows left alone/);
    expect(problem(second.db)).toMatch(/no state_leases table/);
    expect(byPath(report, `${notJson}#state_leases/gateway-owner/global`)).toMatchObject({ verdict: 'unknown', action: 'kept', error: expect.stringMatching(/not a JSON object/) });
    expect(byPath(report, `${readOnly}#state_leases/startup-migrations`)).toMatchObject({ verdict: 'stale', action: 'failed', error: expect.stringMatching(/read-only/) });
    const logged = stderr.split('\n').filter(Boolean).map((line) => String((JSON.parse(line) as { msg?: unknown }).msg));
    for (const line of [problem(first.db), problem(extra), problem(second.db)]) expect(logged.some((msg) => msg.includes(line!))).toBe(true);
    expect(snapshot()).toEqual(before);
  });
});

describe('7. a lease table bigger than any OpenClaw writes', () => {
  it('judges the first rows, says the table was cut short, and leaves the rest alone', async () => {
    const { dir, db } = stateDir();
    const rows = Array.from({ length: MAX_ROWS + 1 }, (_, index) => ({ scope: 'qmd', key: `k${index}`, payload: { reason: 'maintenance' }, createdAt: Date.now() }));
    createStateDb(db, rows);
    const { code, report, stderr } = await runSweep(['--state-dir', dir, '--log-level', 'warn']);
    expect(code, stderr).toBe(1);
    expect(report.locks).toHaveLength(MAX_ROWS);
    expect(report.problems).toEqual([{ path: db, message: `state_leases has more than ${MAX_ROWS} rows, more than any OpenClaw writes; only the first ${MAX_ROWS} were judged, the rest left alone` }]);
    expect(leaseKeys(db)).toHaveLength(MAX_ROWS + 1);
  });
});

// Keep the schema import honest: the tests create exactly the table.
expect(STATE_LEASES_SQL).toMatch(/PRIMARY KEY \(scope, lease_key\)/);
