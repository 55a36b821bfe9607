// Test 1 (issue 2): locks written by real processes (pids 1, 7, 42) of a PID namespace that has since
// died are reclaimed by lockguard running as PID 1 of a fresh namespace; and, inside one long-lived
// namespace with the volume declared exclusive, locks of dead pids and of lockguard's own pid are too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runSweep, shAsPid1 } from '../helpers/run.js';
import { judgedAs, readReport } from '../helpers/sweep-report.js';
import { exists, makeStateDir, makeTempDir, reclaimLeftovers, removeTempDirs } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(removeTempDirs);

/** pid 1 runs the writers: ns_last_pid makes them pids 7 and 42, then it becomes a writer itself (exec keeps pid 1). */
const WRITE_1_7_42 = `
  echo 6 > /proc/sys/kernel/ns_last_pid
  $WRITER "$SESSIONS/seven.jsonl.lock" exit > /dev/null
  echo 41 > /proc/sys/kernel/ns_last_pid
  $WRITER "$SESSIONS/forty-two.jsonl.lock" exit > /dev/null
`;

function ownerOf(path: string): { pid: number; starttime: number; createdAt: string } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('locks from a PID namespace that has died', () => {
  it('are all reclaimed as previous-namespace by lockguard as PID 1 of a fresh namespace (auto: the presence lock proves exclusive)', async () => {
    const state = makeStateDir();
    const sessions = state.sessions();
    const writers = await shAsPid1(`${WRITE_1_7_42}\n exec $WRITER "$SESSIONS/one.jsonl.lock" exit > /dev/null`, { SESSIONS: sessions });
    expect(writers.code, writers.stderr).toBe(0);
    const paths = { 1: state.lockPath('one'), 7: state.lockPath('seven'), 42: state.lockPath('forty-two') };
    for (const [pid, path] of Object.entries(paths)) {
      const owner = ownerOf(path);
      expect(owner.pid).toBe(Number(pid));
      expect(owner.starttime).toBeGreaterThan(0);
    }
    // The locks' namespace is gone. The fresh one must be born provably later, past the verdict's 250 ms clock
    // slack: a wait only lengthens on a loaded machine.
    await sleep(2_100);

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir]);
    expect(code, stderr).toBe(0);
    expect(report.namespace.selfPid).toBe(1);
    expect(report.namespace.pid1?.isSelf).toBe(true);
    expect(report.volumes).toMatchObject([{ stateDir: state.dir, mode: 'exclusive', basis: 'presence-lock' }]);
    for (const [pid, path] of Object.entries(paths)) {
      expect(judgedAs(report, path)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
      expect(report.locks.find((lock) => lock.path === path)?.owner.pid).toBe(Number(pid));
      expect(exists(path)).toBe(false);
    }
    expect(report.summary).toMatchObject({ locks: 3, stale: 3, reclaimed: 3, errors: 0 });
    expect(reclaimLeftovers(state.dir)).toEqual([]);
  });

  it('in a long-lived namespace: auto keeps locks written after its birth; declared exclusive reclaims them as dead-pid and orphan-self-pid', async () => {
    const state = makeStateDir();
    const out = makeTempDir();
    // pid 1 writes a legacy lock ({pid, createdAt}: no starttime) naming itself, then becomes lockguard (exec keeps the pid).
    const script = `${WRITE_1_7_42}
      printf '{"pid":%d,"createdAt":"%s"}' $$ "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" > "$SESSIONS/one.jsonl.lock"
      $LOCKGUARD sweep --json --log-format json --state-dir "$STATE" > "$OUT/auto.json"
      exec $LOCKGUARD sweep --json --log-format json --volume exclusive --state-dir "$STATE" > "$OUT/exclusive.json"
    `;
    const ran = await shAsPid1(script, { SESSIONS: state.sessions(), STATE: state.dir, OUT: out });
    expect(ran.code, ran.stderr).toBe(0);
    const paths = { one: state.lockPath('one'), seven: state.lockPath('seven'), fortyTwo: state.lockPath('forty-two') };

    // auto: a lock younger than the namespace may come from a concurrent writer; the presence lock does not exclude that.
    const auto = readReport(join(out, 'auto.json'));
    expect(auto.namespace.selfPid).not.toBe(1);
    for (const path of Object.values(paths)) {
      expect(judgedAs(auto, path)).toEqual({ verdict: 'unknown', reasons: ['created-after-namespace'], action: 'kept' });
    }

    const exclusive = readReport(join(out, 'exclusive.json'));
    expect(exclusive.namespace.selfPid).toBe(1);
    expect(exclusive.volumes).toMatchObject([{ stateDir: state.dir, mode: 'exclusive', basis: 'flag' }]);
    expect(judgedAs(exclusive, paths.seven)).toEqual({ verdict: 'stale', reasons: ['dead-pid'], action: 'reclaimed' });
    expect(judgedAs(exclusive, paths.fortyTwo)).toEqual({ verdict: 'stale', reasons: ['dead-pid'], action: 'reclaimed' });
    expect(judgedAs(exclusive, paths.one)).toEqual({ verdict: 'stale', reasons: ['orphan-self-pid'], action: 'reclaimed' });
    expect(exclusive.locks.find((lock) => lock.path === paths.one)?.owner.pid).toBe(1);
    for (const path of Object.values(paths)) expect(exists(path)).toBe(false);
    expect(reclaimLeftovers(state.dir)).toEqual([]);
  });
});
