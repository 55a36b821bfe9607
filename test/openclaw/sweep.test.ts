// The tests 1–6: real SQLite files (WAL, the schema), real PID namespaces, the
// built lockguard as PID 1. A "previous container" is a PID namespace that existed and is gone.
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
import { deadNamespaceInode, HOLDER, startHolder, type Holder } from './helpers/processes.js';
import { createStateDb, leaseKeys, STATE_LEASES_SQL } from './helpers/state-db.js';

const INSERT = fileURLToPath(new URL('./helpers/insert-lease.mjs', import.meta.url));
const BOOT_ID = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
const MINUTE = 60_000;
const holders: Holder[] = [];

beforeAll(() => assertBuilt());
afterEach(async () => {
  await Promise.all(holders.splice(0).map((holder) => holder.stop()));
  await must(['sh', '-c', 'for d in /tmp/lockguard-state-*; do chattr -R -i "$d" 2>/dev/null; done; true']);
  removeTempDirs();
});

function stateDir(): { dir: string; db: string } {
  const dir = makeTempDir('lockguard-state-');
  mkdirSync(join(dir, 'state'));
  return { dir, db: join(dir, 'state', 'openclaw.sqlite') };
}

/** Rows a previous container left: pid 1 (generic owner, nested-boot namespace shape) and pid 7 (session-write shape). */
function previousContainerRows(deadInode: number) {
  const createdAt = ago(PREDATES_NAMESPACE_MS);
  return [
    {
      scope: 'gateway-owner',
      key: 'global',
      payload: { owner: { pid: 1, host: '3f9c2d1b7a6e', startedAt: createdAt, processNamespace: { host: '3f9c2d1b7a6e', boot: { platform: 'linux', identity: BOOT_ID }, pidNamespace: deadInode } } },
      createdAt,
      heartbeatAt: createdAt + 1000,
      expiresAt: Date.now() + 10 * MINUTE,
    },
    { scope: 'session-write', key: 'agent:main:main', payload: { pid: 7, starttime: 4242, maxHoldMs: 600_000 }, createdAt },
    {
      scope: 'startup-migrations',
      key: 'global',
      payload: { owner: { pid: 7, host: '3f9c2d1b7a6e', startedAt: createdAt, processNamespace: { host: '3f9c2d1b7a6e', platform: 'linux', identity: BOOT_ID, pidNsInode: deadInode } } },
      createdAt,
    },
  ];
}

const byPath = (report: Report, fragment: string): LockEntry => {
  const entry = report.locks.find((lock) => lock.path.includes(fragment));
  if (!entry) throw new Error(`no entry for ${fragment} in ${JSON.stringify(report.locks, null, 1)}`);
  return entry;
};

describe('1. lease rows of a dead namespace', () => {
  it('reclaims rows owned by pid 1 and pid 7 of a previous container, in both payload shapes', async () => {
    const { dir, db } = stateDir();
    createStateDb(db, [...previousContainerRows(await deadNamespaceInode()), { scope: 'qmd', key: 'agent:main', payload: { reason: 'maintenance' }, createdAt: Date.now(), expiresAt: Date.now() + MINUTE }]);
    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    expect(byPath(report, '#state_leases/gateway-owner/global')).toMatchObject({ kind: 'openclaw-lease', verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed', owner: { pid: 1, host: '3f9c2d1b7a6e' } });
    expect(byPath(report, '#state_leases/session-write/agent:main:main')).toMatchObject({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed', owner: { pid: 7 } });
    expect(byPath(report, '#state_leases/startup-migrations/global')).toMatchObject({ verdict: 'stale', action: 'reclaimed' });
    // An expiry-only row has no process owner: left to OpenClaw.
    expect(byPath(report, '#state_leases/qmd/agent:main')).toMatchObject({ verdict: 'unknown', reasons: ['no-owner'], action: 'kept' });
    expect(leaseKeys(db)).toEqual(['qmd/agent:main']);
    expect(byPath(report, 'gateway-owner').path).toBe(`sqlite:${db}#state_leases/gateway-owner/global`);
  });

  it('keeps a row whose owner is alive in our namespace with a matching start identity, and reclaims a recycled one', async () => {
    const { dir, db } = stateDir();
    createStateDb(db, previousContainerRows(await deadNamespaceInode()));
    const { code, stdout, stderr } = await shAsPid1(
      `sleep 300 & S=$!
       ST=$(cut -d' ' -f22 /proc/$S/stat)
       $NODE ${INSERT} "$DB" session-write live '{"pid":'$S',"starttime":'$ST'}'
       $NODE ${INSERT} "$DB" session-write recycled '{"pid":'$S',"starttime":'$((ST - 1))'}'
       $LOCKGUARD sweep --json --volume exclusive --state-dir "$STATE"`,
      { DB: db, STATE: dir },
    );
    expect(code, stderr).toBe(0);
    const report = parseReport(stdout);
    expect(byPath(report, 'session-write/live')).toMatchObject({ verdict: 'live', reasons: ['live-pid'], action: 'kept' });
    expect(byPath(report, 'session-write/recycled')).toMatchObject({ verdict: 'stale', reasons: ['recycled-pid'], action: 'reclaimed' });
    expect(leaseKeys(db)).toEqual(['session-write/live']);
  });
});

describe('2. a live process in another namespace keeps the shared DB open read-write', () => {
  it('deletes no row without same-namespace proof, and still reclaims one with it', async () => {
    const { dir, db } = stateDir();
    createStateDb(db, previousContainerRows(await deadNamespaceInode()));
    holders.push(await startHolder([db, 'WAL', 'open'], { namespace: true }));
    const { code, stdout, stderr } = await shAsPid1(
      `sh -c 'exit 0' & D=$!; wait $D
       NS=$(stat -L -c %i /proc/self/ns/pid)
       $NODE ${INSERT} "$DB" session-write ours '{"owner":{"pid":'$D',"host":"me","processNamespace":{"platform":"linux","identity":"'$BOOT'","pidNsInode":'$NS'}}}'
       $LOCKGUARD sweep --json --state-dir "$STATE"`,
      { DB: db, STATE: dir, BOOT: BOOT_ID },
    );
    expect(code, stderr).toBe(0);
    const report = parseReport(stdout);
    for (const key of ['gateway-owner/global', 'session-write/agent:main:main', 'startup-migrations/global']) {
      expect(byPath(report, key)).toMatchObject({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
    }
    expect(byPath(report, 'session-write/ours')).toMatchObject({ verdict: 'stale', reasons: ['dead-pid'], action: 'reclaimed' });
    expect(leaseKeys(db)).toEqual(['gateway-owner/global', 'session-write/agent:main:main', 'startup-migrations/global']);
  });
});

describe('3. another process holds BEGIN IMMEDIATE on the DB', () => {
  it('does not wait: reports busy, keeps the row it could prove stale, and exits 0', async () => {
    const { dir, db } = stateDir();
    createStateDb(db, previousContainerRows(await deadNamespaceInode()));
    // A writer in our own namespace: the DB is held open, so only a same-namespace proof (a dead pid of ours) could delete a row.
    const { code, stdout, stderr } = await shAsPid1(
      `sh -c 'exit 0' & D=$!; wait $D
       NS=$(stat -L -c %i /proc/self/ns/pid)
       $NODE ${INSERT} "$DB" session-write ours '{"owner":{"pid":'$D',"processNamespace":{"platform":"linux","identity":"'$BOOT'","pidNsInode":'$NS'}}}'
       $NODE ${HOLDER} "$DB" WAL immediate > "$READY" &
       until grep -q ready "$READY" 2>/dev/null; do sleep 0.05; done
       $LOCKGUARD sweep --json --state-dir "$STATE"`,
      { DB: db, STATE: dir, BOOT: BOOT_ID, READY: join(dir, 'holder.ready') },
    );
    expect(code, stderr).toBe(0);
    const report = parseReport(stdout);
    expect(report.summary.durationMs).toBeLessThan(1000);
    expect(byPath(report, 'session-write/ours')).toMatchObject({ verdict: 'stale', reasons: ['dead-pid'], action: 'kept', error: expect.stringMatching(/busy.*not waited for/) });
    expect(report.summary.errors).toBe(0);
    expect(leaseKeys(db)).toContain('session-write/ours');
  });
});

describe('4. a G4 gateway lock and its SQLite coordinator', () => {
  function gatewayLock(dir: string, deadInode: number): { lock: string; coordinator: string } {
    const lockDir = join(dir, 'tmp', 'openclaw-0');
    mkdirSync(lockDir, { recursive: true });
    const lock = join(lockDir, 'gateway.5d41402a.lock');
    const lockedAt = ago(PREDATES_NAMESPACE_MS);
    const createdAt = new Date(lockedAt).toISOString();
    const payload = {
      pid: 1,
      ownerId: 'c0a8-77e1',
      role: 'gateway',
      createdAt,
      configPath: join(dir, 'openclaw.json'),
      stateDir: dir,
      port: 18789,
      startTime: 1843,
      processNamespace: { host: '3f9c2d1b7a6e', boot: { platform: 'linux', identity: BOOT_ID }, pidNamespace: deadInode },
    };
    // JSON followed by the fs-safe whitespace-only ownership token.
    writeFileSync(lock, `${JSON.stringify(payload)}\n \t  \t\t \n`);
    setTimes(lock, lockedAt);
    return { lock, coordinator: `${lock}.sqlite` };
  }

  it('keeps the lock while a live process in another namespace holds BEGIN EXCLUSIVE on <lock>.sqlite', async () => {
    const { dir } = stateDir();
    const { lock, coordinator } = gatewayLock(dir, await deadNamespaceInode());
    holders.push(await startHolder([coordinator, 'DELETE', 'exclusive', 'CREATE TABLE IF NOT EXISTS owner(x)'], { namespace: true }));
    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    expect(byPath(report, 'gateway.5d41402a.lock')).toMatchObject({ kind: 'openclaw-gateway', verdict: 'live', reasons: ['held-lock'], action: 'kept' });
    expect(existsSync(lock)).toBe(true);
  });

  it('reclaims it once the coordinator is free, and leaves the coordinator where it is', async () => {
    const { dir } = stateDir();
    const { lock, coordinator } = gatewayLock(dir, await deadNamespaceInode());
    const holder = await startHolder([coordinator, 'DELETE', 'exclusive', 'CREATE TABLE IF NOT EXISTS owner(x)'], { namespace: true });
    await holder.stop(); // The previous container died holding it: the kernel dropped the lock.
    const coordinatorBytes = readFileSync(coordinator);
    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    expect(byPath(report, 'gateway.5d41402a.lock')).toMatchObject({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed', owner: { pid: 1, starttime: 1843, bootId: BOOT_ID } });
    expect(existsSync(lock)).toBe(false);
    expect(readFileSync(coordinator).equals(coordinatorBytes)).toBe(true);
    expect(report.locks.some((entry) => entry.path.endsWith('.sqlite'))).toBe(false);
  });
});

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
    const deadRow = previousContainerRows(await deadNamespaceInode()).slice(1, 2);
    const extra = agentDb('extra');
    createStateDb(extra, deadRow, { extraSql: 'ALTER TABLE state_leases ADD COLUMN fencing_token INTEGER' });
    const notJson = agentDb('notjson');
    createStateDb(notJson, [{ scope: 'session-write', key: 'k', payload: 'pid=7 starttime=12', createdAt: ago(PREDATES_NAMESPACE_MS) }]);
    const readOnly = agentDb('readonly');
    createStateDb(readOnly, deadRow, { journal: 'DELETE' });
    await must(['chattr', '+i', readOnly]);

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
    expect(byPath(report, `${notJson}#state_leases/session-write/k`)).toMatchObject({ verdict: 'unknown', action: 'kept', error: expect.stringMatching(/not a JSON object/) });
    expect(byPath(report, `${readOnly}#state_leases/session-write`)).toMatchObject({ verdict: 'stale', action: 'failed', error: expect.stringMatching(/read-only/) });
    const logged = stderr.split('\n').filter(Boolean).map((line) => String((JSON.parse(line) as { msg?: unknown }).msg));
    for (const line of [problem(first.db), problem(extra), problem(second.db)]) expect(logged.some((msg) => msg.includes(line!))).toBe(true);
    await must(['chattr', '-i', readOnly]);
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
