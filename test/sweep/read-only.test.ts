// Test 7 (issue 2): a read-only state dir (a read-only bind mount in a private mount namespace). Every
// lock is reported, the ones proven stale fail to be reclaimed (EROFS) with exit 1, nothing crashes
// (no stack trace on stderr), and every byte stays as it was.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, hasStackTrace, shAsPid1 } from '../helpers/run.js';
import { entryFor, judgedAs, readReport } from '../helpers/sweep-report.js';
import { ago, PAST_SHORT_GRACE_MS, SHORT_GRACE } from '../helpers/boot.js';
import { fingerprint, makeStateDir, makeTempDir, reclaimLeftovers, holdOpenForWriting, removeTempDirs, setTimes, writeSessionLock, type Fingerprint } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(removeTempDirs);

describe('a read-only state dir', () => {
  it('reports every lock, fails the stale ones with EROFS, exits 1 and changes nothing', async () => {
    // Three state dirs: one swept with --volume exclusive, one in auto with a presence file left by an
    // earlier run (flock works on a read-only fd), and one in auto with none.
    const dirs = { exclusive: makeStateDir(), auto: makeStateDir(), fresh: makeStateDir() };
    // Past the sweeps' short --grace (for the malformed lock), so also before the namespaces they run in.
    const lockedAt = ago(PAST_SHORT_GRACE_MS);
    const out = makeTempDir();
    const locks: Record<string, { stale: string; other: string; malformed: string; held: string }> = {};
    const before = new Map<string, Fingerprint>();
    for (const [name, state] of Object.entries(dirs)) {
      const set = {
        stale: state.lockPath('stale'),
        other: state.lockPath('stale', 'other-agent'),
        malformed: state.lockPath('malformed'),
        held: state.lockPath('held'),
      };
      writeSessionLock(set.stale, { pid: 7, starttime: 1 }, lockedAt);
      writeSessionLock(set.other, { pid: 42 }, lockedAt);
      writeFileSync(set.malformed, '{"pid":');
      setTimes(set.malformed, lockedAt);
      locks[name] = set;
    }
    // One lock held open for writing by this test process (opened before the mount turns read-only).
    holdOpenForWriting(locks.exclusive!.held);
    // Elsewhere that name holds a legacy lock ({pid, createdAt}) of a previous namespace, held by nobody.
    for (const state of [dirs.auto, dirs.fresh]) writeSessionLock(join(state.sessions(), 'held.jsonl.lock'), { pid: 9 }, lockedAt);
    mkdirSync(join(dirs.auto.dir, '.lockguard'));
    writeFileSync(join(dirs.auto.dir, '.lockguard', 'presence'), '');
    for (const set of Object.values(locks)) for (const path of Object.values(set)) before.set(path, fingerprint(path));

    const script = `
      mount --make-rprivate /
      for dir in "$EXCLUSIVE" "$AUTO" "$FRESH"; do
        mount --bind "$dir" "$dir"
        mount -o remount,bind,ro "$dir"
        if touch "$dir/writable" 2>/dev/null; then echo "$dir is still writable" >&2; exit 99; fi
      done
      sweep() { # name, args...
        name=$1; shift
        rc=0
        $LOCKGUARD sweep --json --log-format json --grace "$GRACE" "$@" > "$OUT/$name.json" 2> "$OUT/$name.err" || rc=$?
        echo $rc > "$OUT/$name.rc"
      }
      sweep exclusive --volume exclusive --state-dir "$EXCLUSIVE"
      sweep auto --state-dir "$AUTO"
      sweep fresh --state-dir "$FRESH"
    `;
    const ran = await shAsPid1(script, { EXCLUSIVE: dirs.exclusive.dir, AUTO: dirs.auto.dir, FRESH: dirs.fresh.dir, OUT: out, GRACE: SHORT_GRACE });
    expect(ran.code, ran.stderr).toBe(0);
    const outcome = (name: string) => ({
      code: Number(readFileSync(join(out, `${name}.rc`), 'utf8')),
      stderr: readFileSync(join(out, `${name}.err`), 'utf8'),
      report: readReport(join(out, `${name}.json`)),
    });

    // exclusive (declared) and auto with a presence file (proven): the stale locks cannot be reclaimed.
    for (const name of ['exclusive', 'auto'] as const) {
      const { code, stderr, report } = outcome(name);
      const set = locks[name]!;
      expect(code, `${name}: ${stderr}`).toBe(1);
      expect(hasStackTrace(stderr), stderr).toBe(false);
      expect(report.volumes[0]).toMatchObject({ stateDir: dirs[name].dir, mode: 'exclusive', basis: name === 'exclusive' ? 'flag' : 'presence-lock' });
      expect(report.locks.map((lock) => lock.path).sort(), name).toEqual(Object.values(set).sort());
      const stale = name === 'exclusive' ? [set.stale, set.other] : [set.stale, set.other, set.held];
      for (const path of stale) {
        expect(judgedAs(report, path), path).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'failed' });
        expect(entryFor(report, path).error, path).toMatch(/EROFS/);
      }
      expect(judgedAs(report, set.malformed)).toEqual({ verdict: 'stale', reasons: ['malformed'], action: 'failed' });
      expect(entryFor(report, set.malformed).error).toMatch(/EROFS/);
      expect(report.summary).toMatchObject({ locks: 4, errors: stale.length + 1, reclaimed: 0 });
    }
    expect(judgedAs(outcome('exclusive').report, locks.exclusive!.held)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });

    // auto with no presence file, which cannot be created: shared, with a warning. Every lock is reported; only
    // the malformed one (stale in any mode) is tried, and fails.
    const fresh = outcome('fresh');
    const freshSet = locks.fresh!;
    expect(fresh.code, fresh.stderr).toBe(1);
    expect(hasStackTrace(fresh.stderr), fresh.stderr).toBe(false);
    expect(fresh.report.volumes[0]).toMatchObject({ mode: 'shared', basis: 'flock-unsupported' });
    expect(fresh.stderr).toMatch(/presence.*EROFS/);
    expect(fresh.report.locks.map((lock) => lock.path).sort()).toEqual(Object.values(freshSet).sort());
    for (const path of [freshSet.stale, freshSet.other, freshSet.held]) {
      expect(judgedAs(fresh.report, path), path).toEqual({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
    }
    expect(judgedAs(fresh.report, freshSet.malformed)).toEqual({ verdict: 'stale', reasons: ['malformed'], action: 'failed' });
    expect(entryFor(fresh.report, freshSet.malformed).error).toMatch(/EROFS/);

    for (const [path, was] of before) {
      const now = fingerprint(path);
      expect(now.bytes.equals(was.bytes), path).toBe(true);
      expect(now.ino, path).toBe(was.ino);
      expect(now.mtimeNs, path).toBe(was.mtimeNs);
    }
    for (const state of Object.values(dirs)) expect(reclaimLeftovers(state.dir)).toEqual([]);
  });
});
