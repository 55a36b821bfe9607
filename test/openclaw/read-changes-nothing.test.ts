// Inspect and dry runs change nothing, SQLite's companion files included: an OpenClaw DB in WAL mode
// read through an ordinary read-only connection leaves `-wal` and `-shm` behind. And a sweep that has
// no row to delete leaves the DB as it found it. Real SQLite files, real holders in other PID
// namespaces, the built lockguard as PID 1; the whole state dir is compared before and after.
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { assertBuilt, NODE, runLockguard, runSweep, startHelper, stopHelpers } from '../helpers/run.js';
import { parseReport } from '../helpers/sweep-report.js';
import { makeTempDir, removeTempDirs, treeSnapshot } from '../helpers/state.js';
import { startHolder, type Holder } from './helpers/processes.js';
import { createStateDb } from './helpers/state-db.js';
import { redateFixture } from '../openclaw-peer/fixtures.js';
import { clockTicksPerSecond, DB_HOLDER } from '../openclaw-peer/harness.js';

const holders: Holder[] = [];
beforeAll(() => assertBuilt());
afterEach(async () => {
  await Promise.all(holders.splice(0).map((holder) => holder.stop()));
  await stopHelpers();
  removeTempDirs();
});

type Journal = 'WAL' | 'DELETE';
/**
 * What lies beside the DB: nothing (its last connection closed it cleanly); the `-wal` and `-shm` of a
 * writer killed before it checkpointed (a row only in the WAL); a live connection in another PID
 * namespace; a `-wal` without its `-shm` (a backup that left out the transient file); the journal of
 * a writer killed mid-commit (hot: SQLite rolls it back on its next write open).
 */
type Companions = 'none' | 'crashed writer' | 'live holder' | 'wal without shm' | 'hot journal';

const MINUTE = 60_000;
const IN_WAL_ROW = "INSERT INTO state_leases (scope, lease_key, owner, payload_json, created_at, updated_at) VALUES ('qmd', 'in-wal', 'tok-in-wal', '{}', 1, 1)";
/** SQLite's rollback-journal magic: a journal whose header starts with it is hot (or being committed). */
const JOURNAL_MAGIC = Buffer.from('d9d505f920a163d7', 'hex');

/**
 * Running as root, SQLite fchowns an existing `-wal` and `-shm` to their own owner when it opens them
 * (os_unix.c, robustFchown), which moves their ctime and nothing else: their ctime is left out.
 */
const SQLITE_FCHOWNS = (name: string) => name.endsWith('-wal') || name.endsWith('-shm');

/** A state dir whose state/openclaw.sqlite has a dead previous container's row and an expiry-only row, beside `companions`. */
async function stateWith(journal: Journal, companions: Companions, rows: 'dead and expiry-only' | 'expiry-only' = 'dead and expiry-only') {
  // Not lockguard-state-*: an older checkout's sweep.test.ts, run beside this one, chattrs every one of those,
  // which moves the ctimes compared here.
  const dir = makeTempDir('lockguard-unchanged-');
  mkdirSync(join(dir, 'state'));
  const db = join(dir, 'state', 'openclaw.sqlite');
  const createdAt = ago(PREDATES_NAMESPACE_MS);
  const expiryOnly = { scope: 'qmd', key: 'agent:main', payload: { reason: 'maintenance' }, createdAt, expiresAt: Date.now() + MINUTE };
  const dead = { scope: 'startup-migrations', key: 'global', payload: { version: '2026.9.6', owner: { pid: 7, host: '3f9c2d1b7a6e', startedAt: 2610 } }, createdAt };
  createStateDb(db, rows === 'expiry-only' ? [expiryOnly] : [dead, expiryOnly], { journal });
  switch (companions) {
    case 'none':
      break;
    case 'live holder':
      holders.push(await startHolder([db, journal, 'open'], { namespace: true }));
      break;
    case 'crashed writer':
    case 'wal without shm': {
      const writer = await startHolder([db, 'WAL', 'open', IN_WAL_ROW]);
      await writer.stop(); // SIGKILL: no checkpoint, the row stays in the WAL
      expect(lstatSync(`${db}-wal`).size).toBeGreaterThan(32);
      if (companions === 'wal without shm') rmSync(`${db}-shm`);
      break;
    }
    case 'hot journal': {
      const writer = await startHolder([db, 'DELETE', 'none', `BEGIN IMMEDIATE; ${IN_WAL_ROW}`]);
      await writer.stop();
      const fd = openSync(`${db}-journal`, 'r+');
      writeSync(fd, JOURNAL_MAGIC, 0, JOURNAL_MAGIC.length, 0); // as synced at the start of a commit
      closeSync(fd);
      break;
    }
  }
  return { dir, db };
}

function rowKeys(report: Report): string[] {
  return report.locks.map((lock) => lock.path.slice(lock.path.indexOf('#') + 1)).sort();
}

const readable: [Journal, Companions][] = [
  ['WAL', 'none'],
  ['WAL', 'crashed writer'],
  ['WAL', 'live holder'],
  ['DELETE', 'none'],
  ['DELETE', 'live holder'],
];
const unreadableWithoutWriting: [Journal, Companions][] = [
  ['WAL', 'wal without shm'],
  ['DELETE', 'hot journal'],
];

const looks = {
  inspect: (dir: string) => runLockguard(['inspect', '--json', '--log-format', 'json', '--state-dir', dir]).then((ran) => ({ ...ran, report: parseReport(ran.stdout, ran) })),
  'sweep --dry-run': (dir: string) => runSweep(['--dry-run', '--state-dir', dir]),
};

describe('inspect and sweep --dry-run change nothing in the state dir', () => {
  for (const [name, look] of Object.entries(looks)) {
    for (const [journal, companions] of readable) {
      it(`${name}: a ${journal} DB, ${companions} beside it; its rows read all the same`, async () => {
        const { dir } = await stateWith(journal, companions);
        const before = treeSnapshot(dir, SQLITE_FCHOWNS);
        const { code, report, stderr } = await look(dir);
        expect(treeSnapshot(dir, SQLITE_FCHOWNS)).toEqual(before);
        expect(code, stderr).toBe(0);
        expect(report.problems ?? []).toEqual([]);
        const keys = ['state_leases/qmd/agent:main', 'state_leases/startup-migrations/global', ...(companions === 'crashed writer' ? ['state_leases/qmd/in-wal'] : [])];
        expect(rowKeys(report)).toEqual(keys.sort());
        const dead = report.locks.find((lock) => lock.path.endsWith('startup-migrations/global'));
        // A DB held open for writing is judged as on a shared volume (docs/design.md, "Volumes").
        expect(dead).toMatchObject(companions === 'live holder' ? { verdict: 'unknown', action: 'kept' } : { verdict: 'stale', action: 'would-reclaim' });
      });
    }
    for (const [journal, companions] of unreadableWithoutWriting) {
      it(`${name}: a ${journal} DB, ${companions} beside it: not checked, and says why`, async () => {
        const { dir, db } = await stateWith(journal, companions);
        const before = treeSnapshot(dir, SQLITE_FCHOWNS);
        const { code, report, stderr } = await look(dir);
        expect(treeSnapshot(dir, SQLITE_FCHOWNS)).toEqual(before);
        expect(code, stderr).toBe(1);
        expect(report.locks).toEqual([]);
        expect(report.problems).toEqual([{ path: db, message: expect.stringMatching(/lease rows not checked/) }]);
      });
    }
  }
});

describe('a sweep with no row to delete', () => {
  for (const [journal, companions] of readable) {
    it(`changes nothing: a ${journal} DB, ${companions} beside it`, async () => {
      const { dir } = await stateWith(journal, companions, 'expiry-only');
      await runSweep(['--state-dir', dir]); // Makes .lockguard/presence, which every sweep holds.
      const before = treeSnapshot(dir, SQLITE_FCHOWNS);
      const { code, report, stderr } = await runSweep(['--state-dir', dir]);
      expect(treeSnapshot(dir, SQLITE_FCHOWNS)).toEqual(before);
      expect(code, stderr).toBe(0);
      expect(report.locks.map((lock) => lock.action)).toEqual(companions === 'crashed writer' ? ['kept', 'kept'] : ['kept']);
    });
  }
});

describe('a sweep that deletes rows', () => {
  it('leaves no -wal or -shm beside a WAL DB that had none', async () => {
    const { dir, db } = await stateWith('WAL', 'none');
    const { code, report, stderr } = await runSweep(['--state-dir', dir]);
    expect(code, stderr).toBe(0);
    expect(report.locks.find((lock) => lock.path.endsWith('startup-migrations/global'))).toMatchObject({ verdict: 'stale', action: 'reclaimed' });
    expect([existsSync(`${db}-wal`), existsSync(`${db}-shm`)]).toEqual([false, false]);
  });

  for (const [journal, companions] of unreadableWithoutWriting) {
    it(`reads a ${journal} DB with ${companions} beside it, as OpenClaw's next open would, and deletes the dead row`, async () => {
      const { dir } = await stateWith(journal, companions);
      const { code, report, stderr } = await runSweep(['--state-dir', dir]);
      expect(code, stderr).toBe(0);
      const keys = ['state_leases/qmd/agent:main', 'state_leases/startup-migrations/global', ...(companions === 'wal without shm' ? ['state_leases/qmd/in-wal'] : [])];
      expect(rowKeys(report)).toEqual(keys.sort());
      expect(report.locks.find((lock) => lock.path.endsWith('startup-migrations/global'))).toMatchObject({ verdict: 'stale', action: 'reclaimed' });
    });
  }
});

describe('OpenClaw\'s own state dirs: inspect and sweep --dry-run change nothing', () => {
  const DEMO = fileURLToPath(new URL('../../examples/demo-state', import.meta.url));
  const GATEWAY_CRASH = fileURLToPath(new URL('../openclaw-peer/fixtures/gateway-crash', import.meta.url));
  const redated = (fixture: string) => redateFixture(fixture, join(makeTempDir('lockguard-unchanged-'), 'state'), { crashAgoMs: PREDATES_NAMESPACE_MS, clockTicks: clockTicksPerSecond() }).stateDir;
  const states = {
    'examples/demo-state, re-dated': () => redated(DEMO),
    'the gateway crash of openclaw@2026.9.6, re-dated': () => redated(GATEWAY_CRASH),
  };
  for (const [name, make] of Object.entries(states)) {
    for (const holder of [false, true]) {
      it(`${name}${holder ? ', its state DB held open read-write as a running OpenClaw CLI does' : ''}`, async () => {
        const dir = make();
        if (holder) await startHelper([NODE, DB_HOLDER, join(dir, 'state', 'openclaw.sqlite')], { ready: /^ready/m, pid1: true });
        const before = treeSnapshot(dir, SQLITE_FCHOWNS);
        for (const look of Object.values(looks)) {
          const { report, stderr } = await look(dir);
          expect(report.locks.some((lock) => lock.kind === 'openclaw-lease'), stderr).toBe(true);
        }
        expect(treeSnapshot(dir, SQLITE_FCHOWNS)).toEqual(before);
      });
    }
  }
});
