// --lock GLOB adds generic locks to the sweep: pidfiles (a bare pid) and JSON locks, matched by
// "*" within a segment and "**" across directories. Dead owners' locks are reclaimed, live ones
// kept (a live pid, or held open), and files the globs do not name are never touched.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, holdOpen, liveProcess, runLockguard, runSweep, shAsPid1, stopHelpers } from '../helpers/run.js';
import { judgedAs, parseReport } from '../helpers/sweep-report.js';
import { DEAD_PID, exists, inoOf, makeStateDir, removeTempDirs } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await stopHelpers();
  removeTempDirs();
});

function write(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function genericLocks(dir: string) {
  const owner = await liveProcess();
  const locks = {
    deadPidfile: write(join(dir, 'run', 'dead.pid'), `${DEAD_PID}\n`),
    livePidfile: write(join(dir, 'run', 'live.pid'), `${owner.pid}\n`),
    deepDead: write(join(dir, 'jobs', 'a', 'b', 'job.lock'), JSON.stringify({ pid: DEAD_PID, starttime: 5, createdAt: new Date().toISOString() })),
    shallowDead: write(join(dir, 'jobs', 'top.lock'), JSON.stringify({ pid: DEAD_PID })),
  };
  mkdirSync(join(dir, 'jobs', 'held'), { recursive: true });
  const heldPath = join(dir, 'jobs', 'held', 'h.lock');
  const held = await holdOpen(heldPath, 'create', JSON.stringify({ pid: DEAD_PID }));
  const others = [write(join(dir, 'run', 'notes.txt'), 'not a lock'), write(join(dir, 'jobs', 'a', 'b', 'job.json'), '{"pid":1}'), write(join(dir, 'run', 'sub', 'deeper.pid'), `${DEAD_PID}\n`)];
  return { locks: { ...locks, held: heldPath }, heldIno: held.ino, others };
}

describe('--lock globs', () => {
  it('"run/*.pid" and "jobs/**/*.lock": dead owners reclaimed, live ones kept, nothing else touched', async () => {
    const state = makeStateDir();
    const { locks, heldIno, others } = await genericLocks(state.dir);
    const before = others.map((path) => readFileSync(path, 'utf8'));

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', 'exclusive', '--lock', 'run/*.pid', '--lock', 'jobs/**/*.lock'], { pid1: false });
    expect(code, stderr).toBe(0);
    expect(report.locks.map((lock) => lock.path).sort()).toEqual(Object.values(locks).sort());
    expect(report.locks.every((lock) => lock.kind === 'generic')).toBe(true);
    for (const path of [locks.deadPidfile, locks.deepDead, locks.shallowDead]) {
      expect(judgedAs(report, path), path).toEqual({ verdict: 'stale', reasons: ['dead-pid'], action: 'reclaimed' });
      expect(exists(path), path).toBe(false);
    }
    expect(judgedAs(report, locks.livePidfile)).toEqual({ verdict: 'live', reasons: ['live-pid'], action: 'kept' });
    expect(judgedAs(report, locks.held)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
    expect(inoOf(locks.held)).toBe(heldIno);
    expect(exists(locks.livePidfile)).toBe(true);
    expect(others.map((path) => readFileSync(path, 'utf8'))).toEqual(before);
  });

  it('LOCKGUARD_LOCK takes the globs colon-separated (a dry run, as PID 1 of a fresh namespace)', async () => {
    const state = makeStateDir();
    const { locks } = await genericLocks(state.dir);
    // PID 1 of the fresh namespace touches the locks before lockguard starts, as a writer there would: every lock is
    // younger than the namespace, however long the set-up above took (written before it, they would predate the
    // namespace once the set-up took longer than the verdict's 250 ms clock slack).
    const script = 'touch -c $LOCKS; exec $LOCKGUARD sweep --json --log-format json --dry-run --state-dir "$STATE"';
    const ran = await shAsPid1(script, { LOCKS: Object.values(locks).join(' '), STATE: state.dir, LOCKGUARD_LOCK: 'run/*.pid:jobs/**/*.lock' });
    expect(ran.code, ran.stderr).toBe(0);
    const report = parseReport(ran.stdout, ran);
    expect(report.locks.map((lock) => lock.path).sort()).toEqual(Object.values(locks).sort());
    // From a fresh namespace the locks' pids name nobody here, and every lock is younger than the namespace:
    // in auto mode a concurrent writer elsewhere cannot be ruled out, so only the held-open one is decided.
    expect(judgedAs(report, locks.held)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
    for (const path of [locks.deadPidfile, locks.livePidfile, locks.deepDead, locks.shallowDead]) {
      expect(judgedAs(report, path), path).toEqual({ verdict: 'unknown', reasons: ['created-after-namespace'], action: 'kept' });
      expect(exists(path), path).toBe(true);
    }
  });
});

describe('a --lock glob that also matches OpenClaw\'s locks', () => {
  /** Dead and held session locks, OpenClaw's kind, and a dead generic lock, all matched by "**\/*.lock". */
  async function overlapping() {
    const state = makeStateDir();
    const dead = state.lockPath('s1');
    writeFileSync(dead, JSON.stringify({ pid: DEAD_PID, createdAt: new Date().toISOString() }));
    const held = state.lockPath('s2');
    await holdOpen(held, 'create', JSON.stringify({ pid: DEAD_PID, createdAt: new Date().toISOString() }));
    const generic = write(join(state.dir, 'jobs', 'top.lock'), JSON.stringify({ pid: DEAD_PID }));
    return { dir: state.dir, dead, held, generic };
  }
  const args = (dir: string) => ['--state-dir', dir, '--volume', 'exclusive', '--lock', '**/*.lock'];

  it('inspect judges each lock once, OpenClaw\'s as OpenClaw\'s kind', async () => {
    const { dir, dead, held, generic } = await overlapping();
    const ran = await runLockguard(['inspect', '--json', '--log-format', 'json', ...args(dir)], { pid1: false });
    const report = parseReport(ran.stdout, ran);
    expect(ran.code, ran.stderr).toBe(0);
    expect(report.locks.map((lock) => `${lock.path} ${lock.kind} ${lock.action}`).sort()).toEqual(
      [`${dead} openclaw-session would-reclaim`, `${held} openclaw-session kept`, `${generic} generic would-reclaim`].sort(),
    );
    expect(report.summary).toMatchObject({ locks: 3, live: 1, stale: 2, unknown: 0 });
  });

  it('the sweep reclaims or keeps each once, and counts it once', async () => {
    const { dir, dead, held, generic } = await overlapping();
    const { code, report, stderr } = await runSweep(args(dir), { pid1: false });
    expect(code, stderr).toBe(0);
    expect(report.locks.map((lock) => `${lock.path} ${lock.kind} ${lock.action}`).sort()).toEqual(
      [`${dead} openclaw-session reclaimed`, `${held} openclaw-session kept`, `${generic} generic reclaimed`].sort(),
    );
    expect(report.summary).toMatchObject({ locks: 3, live: 1, stale: 2, unknown: 0, reclaimed: 2, errors: 0 });
    expect([exists(dead), exists(held), exists(generic)]).toEqual([false, true, false]);
  });
});
