// The host view (issue 14), in real namespaces: lockguard in the initial PID namespace sees every
// process on the machine by its innermost pid and starttime. Writers run in fresh PID namespaces (live
// ones as PID 1, dead ones at a random pid), and lockguard from the host, or from places where the rule is off.
import { mkdirSync, opendirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { createStateDb } from '../openclaw/helpers/state-db.js';
import { PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { hasExited, readStat } from '../../src/model/procfs.js';
import { redateFixture } from '../openclaw-peer/fixtures.js';
import { clockTicksPerSecond } from '../openclaw-peer/harness.js';
import { fromTheHost, initialTimeNamespace } from '../helpers/host.js';
import { assertBuilt, childrenOf, ENTRY, LOCK_WRITER, NODE, run, runLockguard, runSweep, starttimeOf, startHelper, startLockguard, stopHelpers, type Running } from '../helpers/run.js';
import { entryFor, judgedAs, parseReport } from '../helpers/sweep-report.js';
import { exists, makeStateDir, makeTempDir, reclaimLeftovers, removeTempDirs, type StateDir } from '../helpers/state.js';
import { readPauseMarker, waitFor } from '../helpers/wait.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await stopHelpers();
  removeTempDirs();
});

interface Written {
  pid: number;
  starttime: number;
  createdAt: string;
}

function payloadOf(path: string): Written {
  return JSON.parse(readFileSync(path, 'utf8')) as Written;
}

/**
 * A lock written by a process of a fresh PID namespace that then dies with it. Its pid is not 1 but a
 * random one (through ns_last_pid): the host view rightly calls a lock live while any process with its pid
 * and starttime runs, and the PID 1s that other test files start on this machine each second would
 * sometimes share a dead PID 1's clock tick.
 */
async function deadWriterLock(path: string, writerArgs: string[] = []): Promise<Written> {
  const pid = 300 + Math.floor(Math.random() * 30_000);
  const ran = await run(['sh', '-euc', 'echo $(($0 - 1)) > /proc/sys/kernel/ns_last_pid && "$@"', String(pid), NODE, LOCK_WRITER, path, 'exit', ...writerArgs]);
  expect(ran.code, ran.stderr).toBe(0);
  const written = payloadOf(path);
  expect(written.pid).toBe(pid);
  return written;
}

/** A session lock of a crashed container (see deadWriterLock). */
function crashedContainerLock(state: StateDir, name: string): Promise<Written> {
  return deadWriterLock(state.lockPath(name));
}

/**
 * PID 1 of a fresh PID namespace that writes a session lock (a gateway lock with --gateway), closes it and stays
 * alive; its host pid. stop() returns once the writer has exited: unshare dies first, and a SIGKILLed process
 * still runs until it has delivered the signal to itself, which a sweep right after would rightly see as alive.
 */
async function liveContainerWriter(path: string, prefix: string[] = [], writerArgs: string[] = []): Promise<{ hostPid: number; stop(): Promise<void> }> {
  const helper = await startHelper([...prefix, 'unshare', '--pid', '--fork', '--mount-proc', '--kill-child', NODE, LOCK_WRITER, path, 'stay', ...writerArgs]);
  const hostPid = await waitFor(() => childrenOf(helper.pid)[0], 'the writer under unshare');
  const starttime = starttimeOf(hostPid);
  const stop = async () => {
    await helper.stop();
    await waitFor(() => {
      const facts = readStat(hostPid);
      return facts === undefined || facts.starttime !== starttime || hasExited(facts) ? true : undefined;
    }, `the writer (host pid ${hostPid}) to exit`);
  };
  return { hostPid, stop };
}

describe('from the host', () => {
  it("reclaims what a process of a crashed container left, on a shared volume: a lock file, a directory lock and a lease row (no-such-process); inspect shows it first", async () => {
    const state = makeStateDir();
    const dead = await crashedContainerLock(state, 'crashed');
    // The same dead owner in a runtime-deps directory lock and a state_leases row.
    const dirLock = join(state.dir, 'plugin-runtime-deps', 'demo', '.openclaw-runtime-deps.lock');
    mkdirSync(dirLock, { recursive: true });
    writeFileSync(join(dirLock, 'owner.json'), JSON.stringify({ pid: dead.pid, starttime: dead.starttime, createdAtMs: Date.parse(dead.createdAt) }));
    mkdirSync(join(state.dir, 'state'));
    const db = join(state.dir, 'state', 'openclaw.sqlite');
    createStateDb(db, [{ scope: 'session-write', key: 'crashed', payload: { pid: dead.pid, starttime: dead.starttime }, createdAt: Date.parse(dead.createdAt) }]);

    const inspect = await runLockguard(['inspect', '--state-dir', state.dir, '--volume', 'shared'], fromTheHost());
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/^ {2}host view {2}every namespace on this machine \(\d+ processes indexed\)$/m);
    expect(inspect.stdout).toMatch(new RegExp(`^ {2}stale +would-reclaim +no-such-process +${dead.pid} .*crashed\\.jsonl\\.lock$`, 'm'));
    console.log(`[host-view] inspect from the host on a crashed container's state:\n${inspect.stdout}`);

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', 'shared'], fromTheHost());
    expect(code, stderr).toBe(0);
    expect(report.namespace.hostView).toMatchObject({ on: true, index: { unreadable: 0 } });
    expect(report.volumes).toMatchObject([{ mode: 'shared', basis: 'flag', filesystem: { local: true } }]);
    const reclaimed = { verdict: 'stale', reasons: ['no-such-process'], action: 'reclaimed' };
    expect(judgedAs(report, state.lockPath('crashed'))).toEqual(reclaimed);
    expect(judgedAs(report, dirLock)).toEqual(reclaimed);
    expect(judgedAs(report, `sqlite:${db}#state_leases/session-write/crashed`)).toEqual(reclaimed);
    expect(exists(state.lockPath('crashed'))).toBe(false);
    expect(exists(dirLock)).toBe(false);
    expect(rowCount(db)).toBe(0);
    expect(reclaimLeftovers(state.dir)).toEqual([]);
  });

  it('keeps the lock of a live writer in a child namespace that closed its fd (live-elsewhere), even on a volume declared exclusive; reclaims it once the writer is dead', async () => {
    const state = makeStateDir();
    const path = state.lockPath('alive');
    const writer = await liveContainerWriter(path);
    expect(payloadOf(path).pid).toBe(1);
    for (const volume of ['shared', 'exclusive']) {
      const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', volume], fromTheHost());
      expect(code, stderr).toBe(0);
      expect(judgedAs(report, path), volume).toEqual({ verdict: 'live', reasons: ['live-elsewhere'], action: 'kept' });
      expect(exists(path)).toBe(true);
    }
    await writer.stop();
    const after = await runSweep(['--state-dir', state.dir, '--volume', 'shared'], fromTheHost());
    expect(judgedAs(after.report, path)).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'reclaimed' });
    expect(exists(path)).toBe(false);
  });

  it("a pid recycled in the writer's namespace (same pid, another starttime) is no proof of life: no-such-process", async () => {
    const state = makeStateDir();
    const path = state.lockPath('seven');
    // PID 1 keeps the namespace alive; the writer gets pid 7 and exits; a sleeper then gets pid 7 again.
    const script = `
      echo 6 > /proc/sys/kernel/ns_last_pid
      $WRITER "$LOCK" exit > /dev/null
      echo 6 > /proc/sys/kernel/ns_last_pid
      sleep 600 &
      echo "sleeper $! $(cut -d' ' -f22 /proc/$!/stat)"
      wait
    `;
    const namespace = await startHelper(['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-euc', script], { ready: /^sleeper (\d+) (\d+)$/m, env: { WRITER: `${NODE} ${LOCK_WRITER}`, LOCK: path } });
    const written = payloadOf(path);
    expect(written.pid).toBe(7);
    expect(Number(namespace.ready[1])).toBe(7);
    expect(Number(namespace.ready[2])).not.toBe(written.starttime);

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', 'shared'], fromTheHost());
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, path)).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'reclaimed' });
  });

  it("keeps a live writer in a time namespace, whose starttime is its own namespace's (matched through its boottime offset); reclaims its lock once it is dead", async () => {
    const state = makeStateDir();
    const path = state.lockPath('shifted');
    const writer = await liveContainerWriter(path, ['unshare', '--time', '--boottime', '86400', '--fork']);
    const written = payloadOf(path);
    // What the writer recorded is not its start as the test (and the host) see it: the offset is a day.
    expect(Math.abs(written.starttime - starttimeOf(writer.hostPid))).toBeGreaterThan(80_000 * 100);

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', 'shared'], fromTheHost());
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, path)).toEqual({ verdict: 'live', reasons: ['live-elsewhere'], action: 'kept' });
    await writer.stop();
    const after = await runSweep(['--state-dir', state.dir, '--volume', 'shared'], fromTheHost());
    expect(judgedAs(after.report, path)).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'reclaimed' });
  });

  it('keeps a lock written by a writer that started after the scan of /proc, read after the scan: the second look scans again', async () => {
    const state = makeStateDir();
    // The walk finishes one agent's directory before it lists the next: `first` (by readdir order) holds a
    // dead owner's lock, whose judging scans /proc; while lockguard waits there, a new writer takes a
    // lock in `second`, which the walk reads after the scan.
    state.sessions('a');
    state.sessions('b');
    const [first, second] = readdirOrder(join(state.dir, 'agents'));
    await deadWriterLock(state.lockPath('dead', first));
    const late = state.lockPath('late', second);
    const marker = join(makeTempDir(), 'pause');
    const sweep = startLockguard(['sweep', '--json', '--log-format', 'json', '--state-dir', state.dir, '--volume', 'shared'], fromTheHost({ env: { LOCKGUARD_TEST_PAUSE_AT: 'host-scanned', LOCKGUARD_TEST_PAUSE_FILE: marker } }));
    await waitFor(() => exists(marker) || undefined, 'the first scan of /proc');
    expect(exists(late)).toBe(false);
    await liveContainerWriter(late);
    const steps = await pausesUntilDone(sweep, marker);
    const ran = await sweep.done;
    expect(ran.code, ran.stderr).toBe(0);
    const report = parseReport(ran.stdout, ran);
    expect(judgedAs(report, late)).toEqual({ verdict: 'live', reasons: ['live-elsewhere'], action: 'kept' });
    expect(judgedAs(report, state.lockPath('dead', first))).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'reclaimed' });
    expect(steps).toEqual(['host-scanned', 'host-scanned']);
    expect(report.namespace.hostView).toMatchObject({ on: true, index: { scans: 2 } });
    expect(exists(late)).toBe(true);
  });

  it('a gateway lock whose coordinator is free needs no settle, but its no-such-process still gets the second look on a fresh scan', async () => {
    const state = makeStateDir();
    // As above, across two gateway lock dirs: `first` holds a dead owner's lock, `second` gets a live
    // writer's lock after the first scan of /proc began.
    const tmp = join(state.dir, 'tmp');
    for (const uid of ['0', '1000']) mkdirSync(join(tmp, `openclaw-${uid}`), { recursive: true });
    const [first, second] = readdirOrder(tmp);
    const dead = join(tmp, first, 'gateway.state.lock');
    const late = join(tmp, second, 'gateway.state.lock');
    await deadWriterLock(dead, ['--gateway']);
    // Both coordinators are there and free. The late writer holds none: not OpenClaw's way, but
    // nothing proves a writer is OpenClaw, and only a scan begun after the read proves its absence.
    for (const lock of [dead, late]) writeFileSync(`${lock}.sqlite`, '');
    const marker = join(makeTempDir(), 'pause');
    const pauses = { LOCKGUARD_TEST_PAUSE_AT: 'host-scanned,settling', LOCKGUARD_TEST_PAUSE_FILE: marker };
    const sweep = startLockguard(['sweep', '--json', '--log-format', 'json', '--state-dir', state.dir, '--volume', 'shared'], fromTheHost({ env: pauses }));
    await waitFor(() => exists(marker) || undefined, 'the first scan of /proc');
    await liveContainerWriter(late, [], ['--gateway']);
    const steps = await pausesUntilDone(sweep, marker);
    const ran = await sweep.done;
    expect(ran.code, ran.stderr).toBe(0);
    const report = parseReport(ran.stdout, ran);
    expect(judgedAs(report, late)).toEqual({ verdict: 'live', reasons: ['live-elsewhere'], action: 'kept' });
    expect(judgedAs(report, dead)).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'reclaimed' });
    // Two scans, and no settle: no lock here can be mid-release.
    expect(steps).toEqual(['host-scanned', 'host-scanned']);
    expect([exists(dead), exists(`${dead}.sqlite`), exists(late)]).toEqual([false, true, true]);
  });

  it("an empty reclaim guard names no pid: from the host it is kept on a volume of this boot, and so is the no-such-process lock under it", async () => {
    const stateDir = join(makeTempDir('lockguard-fixture-'), 'state');
    redateFixture(fileURLToPath(new URL('../openclaw-peer/fixtures/guard-crash', import.meta.url)), stateDir, { crashAgoMs: PREDATES_NAMESPACE_MS, clockTicks: clockTicksPerSecond() });
    const lock = join(stateDir, 'openclaw.json.lock');
    for (const volume of ['auto', 'shared']) {
      const { code, report, stderr } = await runSweep(['--state-dir', stateDir, '--volume', volume], fromTheHost());
      expect(code, stderr).toBe(0);
      expect(report.namespace.hostView.on).toBe(true);
      expect(entryFor(report, `${lock}.reclaim`), volume).toMatchObject({ verdict: 'unknown', reasons: [volume === 'shared' ? 'shared-volume' : 'no-owner'], action: 'kept', error: expect.stringMatching(/names no owner/) });
      expect(entryFor(report, lock), volume).toMatchObject({ verdict: 'stale', reasons: ['no-such-process'], action: 'kept', error: expect.stringMatching(/another reclaimer holds its \.reclaim guard/) });
      expect([exists(lock), exists(`${lock}.reclaim`)], volume).toEqual([true, true]);
    }
  });
});

describe("openclaw@2026.9.6's own leftovers", () => {
  it('of a crashed gateway (the re-dated fixture), inspected from the host: its gateway locks and its gateway-owner row are no-such-process, nothing is live', async () => {
    const stateDir = join(makeTempDir('lockguard-fixture-'), 'state');
    redateFixture(fileURLToPath(new URL('../openclaw-peer/fixtures/gateway-crash', import.meta.url)), stateDir, { crashAgoMs: PREDATES_NAMESPACE_MS, clockTicks: clockTicksPerSecond() });
    const inspect = await runLockguard(['inspect', '--state-dir', stateDir], fromTheHost());
    expect(inspect.code, inspect.stderr).toBe(0);
    console.log(`[host-view] inspect from the host on openclaw@2026.9.6's crashed gateway (fixture gateway-crash, re-dated):\n${inspect.stdout}`);
    const { code, report, stderr } = await runSweep(['--dry-run', '--state-dir', stateDir], fromTheHost());
    expect(code, stderr).toBe(0);
    const locks = report.locks.filter((entry) => entry.kind === 'openclaw-gateway');
    expect(locks.map((entry) => entry.path.slice(stateDir.length + 1)).sort()).toEqual(['tmp/openclaw-0/gateway.7406df2a.lock', 'tmp/openclaw-0/gateway.state.lock']);
    for (const entry of locks) expect({ verdict: entry.verdict, reasons: entry.reasons, action: entry.action }, entry.path).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'would-reclaim' });
    // The row names the same owner (token, pid, start ticks) as the gateway locks, so owner-lock-stale
    // would hold too; its own proof, on its own start ticks, is the one reported.
    const row = `sqlite:${join(stateDir, 'state', 'openclaw.sqlite')}#state_leases/gateway-owner/global`;
    expect(entryFor(report, row).owner).toMatchObject({ pid: locks[0]!.owner.pid, ownerId: locks[0]!.owner.ownerId, starttime: locks[0]!.owner.starttime });
    expect(judgedAs(report, row)).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'would-reclaim' });
    expect(report.locks.filter((entry) => entry.verdict === 'live')).toEqual([]);
  });

  it('of a crashed gateway (the re-dated fixture), swept from the host: all reclaimed, without the settle (the coordinators are free)', async () => {
    const stateDir = join(makeTempDir('lockguard-fixture-'), 'state');
    redateFixture(fileURLToPath(new URL('../openclaw-peer/fixtures/gateway-crash', import.meta.url)), stateDir, { crashAgoMs: PREDATES_NAMESPACE_MS, clockTicks: clockTicksPerSecond() });
    const marker = join(makeTempDir(), 'pause');
    const sweep = startLockguard(['sweep', '--json', '--log-format', 'json', '--state-dir', stateDir], fromTheHost({ env: { LOCKGUARD_TEST_PAUSE_AT: 'settling', LOCKGUARD_TEST_PAUSE_FILE: marker } }));
    expect(await pausesUntilDone(sweep, marker)).toEqual([]);
    const ran = await sweep.done;
    expect(ran.code, ran.stderr).toBe(0);
    const report = parseReport(ran.stdout, ran);
    const lockDir = join(stateDir, 'tmp', 'openclaw-0');
    const db = join(stateDir, 'state', 'openclaw.sqlite');
    for (const path of [join(lockDir, 'gateway.state.lock'), join(lockDir, 'gateway.7406df2a.lock'), `sqlite:${db}#state_leases/gateway-owner/global`]) {
      expect(judgedAs(report, path), path).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'reclaimed' });
    }
    expect([exists(join(lockDir, 'gateway.state.lock')), exists(join(lockDir, 'gateway.7406df2a.lock')), exists(join(lockDir, 'gateway.state.lock.sqlite'))]).toEqual([false, false, true]);
    expect(rowCount(db)).toBe(0);
  });
});

describe('where the host view is off', () => {
  it('in a new container (a fresh PID namespace): inspect says why, in one line, and the lock is judged as before', async () => {
    const state = makeStateDir();
    await crashedContainerLock(state, 'crashed');
    const inspect = await runLockguard(['inspect', '--state-dir', state.dir, '--volume', 'shared']);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain('  host view  off: this namespace cannot see the writers; run lockguard in the new container, or from the host\n');
    const { report } = await runSweep(['--state-dir', state.dir, '--volume', 'shared']);
    expect(report.namespace.hostView.on).toBe(false);
    expect(judgedAs(report, state.lockPath('crashed'))).toEqual({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
  });

  it('in a time namespace: off, and inspect names the way out', async () => {
    const state = makeStateDir();
    const dead = await crashedContainerLock(state, 'crashed');
    const inspect = await runLockguard(['inspect', '--state-dir', state.dir, '--volume', 'shared'], fromTheHost({ prefix: ['unshare', '--time', '--boottime', '1000', '--fork'] }));
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/^ {2}host view {2}off: lockguard runs in a time namespace \(time:\[\d+\]\) whose starttimes are not the host's; run it in the initial one \(nsenter --time=\/proc\/1\/ns\/time\)$/m);
    expect(inspect.stdout).toMatch(new RegExp(`^ {2}unknown +kept +shared-volume +${dead.pid} `, 'm'));
  });

  it('under hidepid: off', async () => {
    const state = makeStateDir();
    await crashedContainerLock(state, 'crashed');
    const script = 'mount --make-rprivate / && mount -t proc -o hidepid=invisible proc /proc && exec "$@"';
    const ran = await runLockguard(['sweep', '--json', '--state-dir', state.dir, '--volume', 'shared'], fromTheHost({ prefix: ['unshare', '--mount', 'sh', '-c', script, 'sh'] }));
    expect(ran.code, ran.stderr).toBe(0);
    const report = parseReport(ran.stdout, ran);
    expect(report.namespace.hostView).toEqual({ on: false, off: '/proc is mounted with hidepid=invisible, which hides processes; run lockguard where /proc is mounted without hidepid or subset=pid' });
    expect(judgedAs(report, state.lockPath('crashed'))).toEqual({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
  });

  it('for a lock on another filesystem mounted below the state dir', async () => {
    const state = makeStateDir();
    await crashedContainerLock(state, 'on-the-volume');
    const mounted = state.sessions('other');
    // In a private mount namespace: a tmpfs over one agent's sessions, and a crashed container's lock on it.
    const script = `
      mount --make-rprivate /
      mount -t tmpfs lockguard-test "$MOUNTED"
      $NODE_UNSHARED "$MOUNTED/on-the-mount.jsonl.lock" exit > /dev/null
      exec "$@"
    `;
    const env = { MOUNTED: mounted, NODE_UNSHARED: `unshare --pid --fork --mount-proc ${NODE} ${LOCK_WRITER}` };
    const ran = await runLockguard(['sweep', '--json', '--state-dir', state.dir, '--volume', 'shared', '--dry-run'], fromTheHost({ env, prefix: ['unshare', '--mount', 'sh', '-euc', script, 'sh'] }));
    expect(ran.code, ran.stderr).toBe(0);
    const report = parseReport(ran.stdout, ran);
    expect(judgedAs(report, state.lockPath('on-the-volume'))).toEqual({ verdict: 'stale', reasons: ['no-such-process'], action: 'would-reclaim' });
    expect(judgedAs(report, join(mounted, 'on-the-mount.jsonl.lock'))).toEqual({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
  });

  it('on a FUSE mount (bindfs): off for that volume, and inspect says why', { timeout: 600_000 }, async () => {
    await ensureBindfs();
    const state = makeStateDir();
    await crashedContainerLock(state, 'crashed');
    const mountpoint = makeTempDir('lockguard-fuse-');
    const lock = join(mountpoint, 'agents', 'main', 'sessions', 'crashed.jsonl.lock');
    // A private mount namespace, so the mount goes with it; bindfs shows the state dir through FUSE.
    const script = `
      mount --make-rprivate /
      bindfs --no-allow-other "$STATE" "$MNT"
      trap 'fusermount -u "$MNT"' EXIT
      stat -f -c 'fs %t' "$MNT"
      $LOCKGUARD inspect --state-dir "$MNT" --volume shared
      $LOCKGUARD sweep --json --state-dir "$MNT" --volume shared --log-level warn
    `;
    const env = { STATE: state.dir, MNT: mountpoint, LOCKGUARD: `${NODE} ${ENTRY}` };
    const ran = await run([...initialTimeNamespace(), 'unshare', '--mount', 'sh', '-euc', script], { pid1: false, env });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('fs 65735546\n');
    expect(ran.stdout).toContain(`  ${mountpoint}: shared (flag), fuse; host view off: fuse is not a local filesystem`);
    const report = parseReport(ran.stdout.slice(ran.stdout.indexOf('{"version"')), ran);
    expect(report.namespace.hostView.on).toBe(true);
    expect(report.volumes).toMatchObject([{ filesystem: { type: 'fuse', local: false } }]);
    expect(entryFor(report, lock).reasons).not.toContain('no-such-process');
    expect(entryFor(report, lock).verdict).not.toBe('stale');
    expect(exists(state.lockPath('crashed'))).toBe(true);
  });
});

function rowCount(db: string): number {
  const handle = new DatabaseSync(db, { readOnly: true });
  try {
    return (handle.prepare('SELECT count(*) AS n FROM state_leases').get() as { n: number }).n;
  } finally {
    handle.close();
  }
}

/** The first two names of dir in the order the walk sees them: opendir's, the directory's own (readdirSync sorts). */
function readdirOrder(dir: string): [string, string] {
  const handle = opendirSync(dir);
  try {
    return [handle.readSync()!.name, handle.readSync()!.name];
  } finally {
    handle.closeSync();
  }
}

/** The pause points a running lockguard reaches until it ends, each let go at once: their steps, in order. */
async function pausesUntilDone(running: Running, marker: string): Promise<string[]> {
  let done = false;
  void running.done.finally(() => (done = true));
  const steps: string[] = [];
  for (;;) {
    const paused = await waitFor(() => readPauseMarker(marker) ?? (done ? null : undefined), 'a pause point or the end of lockguard', 30_000);
    if (paused === null) return steps;
    steps.push(paused.step);
    rmSync(marker, { force: true });
  }
}

/** bindfs from Debian when it is missing, as the container tests install docker.io: the test fails if it cannot be had. */
async function ensureBindfs(): Promise<void> {
  const script = 'command -v bindfs >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends bindfs >/dev/null; }';
  const ran = await run(['sh', '-c', script], { pid1: false, timeoutMs: 540_000 });
  if (ran.code !== 0) throw new Error(`bindfs is missing and could not be installed (apt-get install bindfs, as root): ${ran.stderr}`);
}
