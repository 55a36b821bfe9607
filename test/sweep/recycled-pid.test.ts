// Test 2 (issue 2): a recycled PID. A real process at pid N writes its lock and dies; ns_last_pid then
// makes a new, live process take exactly N with a later starttime. lockguard (same namespace, the
// volume declared exclusive so the writer is provably ours) reclaims the lock as recycled-pid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, shAsPid1 } from '../helpers/run.js';
import { entryFor, judgedAs, readReport } from '../helpers/sweep-report.js';
import { exists, fingerprint, makeStateDir, makeTempDir, reclaimLeftovers, removeTempDirs } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(removeTempDirs);

/** Field 22 of a /proc/<pid>/stat line. */
function starttimeOf(statLine: string): number {
  return Number(statLine.slice(statLine.lastIndexOf(')') + 2).split(' ')[19]);
}

describe('a recycled PID', () => {
  it('is recycled-pid when a live process holds the recorded pid with another starttime, and for a legacy lock when that process is younger than the lock', async () => {
    const state = makeStateDir();
    const out = makeTempDir();
    const script = `
      # The writers: pid 100 (records its starttime) and pid 200 (a legacy lock: no starttime). Both die.
      echo 99 > /proc/sys/kernel/ns_last_pid
      $WRITER "$SESSIONS/recycled.jsonl.lock" exit > /dev/null
      echo 199 > /proc/sys/kernel/ns_last_pid
      $WRITER "$SESSIONS/legacy.jsonl.lock" exit --no-starttime > /dev/null
      # Control: a legacy lock naming a live process that started before the lock was written.
      sleep 60 & older=$!
      printf '{"pid":%d,"createdAt":"%s"}' $older "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" > "$SESSIONS/older.jsonl.lock"
      # Let the recyclers start provably after the locks were written, past the verdict's 250 ms clock slack (a
      # wait only lengthens on a loaded machine).
      sleep 2.1
      echo 99 > /proc/sys/kernel/ns_last_pid
      sleep 60 & echo $! > "$OUT/recycler-100.pid"
      echo 199 > /proc/sys/kernel/ns_last_pid
      sleep 60 & echo $! > "$OUT/recycler-200.pid"
      cat /proc/100/stat > "$OUT/recycler-100.stat"
      $LOCKGUARD sweep --json --log-format json --state-dir "$STATE" > "$OUT/auto.json"
      $LOCKGUARD sweep --json --log-format json --volume exclusive --state-dir "$STATE" > "$OUT/exclusive.json"
    `;
    const ran = await shAsPid1(script, { SESSIONS: state.sessions(), STATE: state.dir, OUT: out });
    expect(ran.code, ran.stderr).toBe(0);
    expect(readFileSync(join(out, 'recycler-100.pid'), 'utf8').trim()).toBe('100');
    expect(readFileSync(join(out, 'recycler-200.pid'), 'utf8').trim()).toBe('200');
    const recycled = state.lockPath('recycled');
    const legacy = state.lockPath('legacy');
    const older = state.lockPath('older');

    // auto: these locks are younger than the namespace, so the presence lock alone proves nothing; all kept.
    const auto = readReport(join(out, 'auto.json'));
    const recordedStart = entryFor(auto, recycled).owner.starttime!;
    expect(entryFor(auto, recycled).owner.pid).toBe(100);
    expect(entryFor(auto, legacy).owner).toMatchObject({ pid: 200 });
    expect(entryFor(auto, legacy).owner.starttime).toBeUndefined();
    expect(starttimeOf(readFileSync(join(out, 'recycler-100.stat'), 'utf8'))).toBeGreaterThan(recordedStart);
    for (const path of [recycled, legacy]) {
      expect(judgedAs(auto, path)).toEqual({ verdict: 'unknown', reasons: ['created-after-namespace'], action: 'kept' });
    }

    const exclusive = readReport(join(out, 'exclusive.json'));
    expect(exclusive.volumes).toMatchObject([{ stateDir: state.dir, mode: 'exclusive', basis: 'flag' }]);
    const probe100 = exclusive.namespace.processes.find((p) => p.pid === 100);
    expect(probe100).toMatchObject({ status: 'alive', facts: { comm: 'sleep' } });
    expect(judgedAs(exclusive, recycled)).toEqual({ verdict: 'stale', reasons: ['recycled-pid'], action: 'reclaimed' });
    expect(judgedAs(exclusive, legacy)).toEqual({ verdict: 'stale', reasons: ['recycled-pid'], action: 'reclaimed' });
    expect(judgedAs(exclusive, older)).toEqual({ verdict: 'live', reasons: ['live-pid'], action: 'kept' });
    expect(exists(recycled)).toBe(false);
    expect(exists(legacy)).toBe(false);
    expect(fingerprint(older).bytes.toString()).toMatch(/^\{"pid":\d+,"createdAt":"[^"]+"\}$/);
    expect(reclaimLeftovers(state.dir)).toEqual([]);
  });

  it('is dead-pid when the recorded pid is now only a thread id of another process (no process has that pid)', async () => {
    const state = makeStateDir();
    const out = makeTempDir();
    const script = `
      $WRITER "$SESSIONS/owner.jsonl.lock" stay --ready "$OUT/ready" > /dev/null &
      owner=$!
      while [ ! -e "$OUT/ready" ]; do sleep 0.02; done
      tid=
      for t in $(ls /proc/$owner/task); do [ "$t" = "$owner" ] || tid=$t; done
      # A legacy lock ({pid, createdAt}) naming that thread id, written after the thread started.
      printf '{"pid":%d,"createdAt":"%s"}' $tid "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" > "$SESSIONS/thread.jsonl.lock"
      $LOCKGUARD sweep --json --log-format json --volume exclusive --state-dir "$STATE" > "$OUT/exclusive.json"
      # The thread was still there after the sweep, in the owner's thread group.
      grep '^Tgid:' /proc/$tid/status > "$OUT/tgid"
      echo $owner > "$OUT/owner.pid"
    `;
    const ran = await shAsPid1(script, { SESSIONS: state.sessions(), STATE: state.dir, OUT: out });
    expect(ran.code, ran.stderr).toBe(0);
    const ownerPid = Number(readFileSync(join(out, 'owner.pid'), 'utf8'));
    expect(readFileSync(join(out, 'tgid'), 'utf8').trim()).toBe(`Tgid:\t${ownerPid}`);
    const thread = state.lockPath('thread');
    const report = readReport(join(out, 'exclusive.json'));
    const tid = entryFor(report, thread).owner.pid!;
    expect(tid).not.toBe(ownerPid);
    expect(report.namespace.processes.find((p) => p.pid === tid)).toEqual({ pid: tid, status: 'absent' });
    expect(judgedAs(report, thread)).toEqual({ verdict: 'stale', reasons: ['dead-pid'], action: 'reclaimed' });
    expect(judgedAs(report, state.lockPath('owner'))).toEqual({ verdict: 'live', reasons: ['live-pid'], action: 'kept' });
    expect(exists(thread)).toBe(false);
  });
});
