// When the command exits, what it left running gets TERM, then KILL at --kill-after (or
// the default bound); lockguard waits for it, exits with the command's code, and leaves
// no process behind. Every process of a test carries a marker in its environment, so
// that /proc shows whatever outlived lockguard.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { NODE } from '../helpers/run.js';
import { waitFor } from '../helpers/wait.js';
import { FIXTURES, runSupervising, startSupervising, tempDir, type Outcome, type SupervisingOptions } from './harness.js';

const CATCHER = join(FIXTURES, 'catcher.mjs');
// sh waits until its background job has its signal listeners in place, then exits 3. The
// job writes to a file, not to lockguard's pipes: one that outlived lockguard would
// otherwise hold them open, and the run would never end.
const untilReady = (file: string) => `until grep -qs ready "${file}"; do sleep 0.02; done`;
/** The issue's `sh -c 'python-that-prints-signals & sleep 1'`: a background job that prints what it catches and exits on TERM. */
const BACKGROUND_JOB = `"$NODE" "$CATCHER" SIGTERM > "$OUT" 2>&1 & ${untilReady('$OUT')}; exit 3`;
/** A background job that catches TERM, prints it and keeps running (it awaits a USR1 that never comes). */
const TERM_IGNORING_JOB = `"$NODE" "$CATCHER" SIGUSR1 > "$OUT" 2>&1 & ${untilReady('$OUT')}; exit 3`;

/** Processes whose environment carries the marker. */
function marked(mark: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`LOCKGUARD_TEST_MARK=${mark}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A marker, an output file for the background job, and the env the command's scripts use. */
function scene() {
  const mark = randomUUID();
  const out = join(tempDir(), 'out');
  onTestFinished(() => {
    for (const pid of marked(mark)) process.kill(pid, 'SIGKILL');
  });
  return { out, left: () => marked(mark), env: { NODE, CATCHER, OUT: out, LOCKGUARD_TEST_MARK: mark } };
}

/** Run lockguard on `sh -c script`: its outcome, what the background job printed, and what outlived lockguard. */
async function runScene(args: string[], script: string, options: SupervisingOptions = {}) {
  const { out, left, env } = scene();
  const outcome = await runSupervising([...args, '--', 'sh', '-c', script], { ...options, env: { ...env, ...options.env } });
  return { outcome, printed: readFileSync(out, 'utf8'), outlived: left(), mark: env.LOCKGUARD_TEST_MARK };
}

// What every scene ends with: the job saw exactly one TERM, lockguard exited with sh's 3, and nothing outlived it.
const STOPPED = { printed: 'ready\nSIGTERM\n', outcome: expect.objectContaining({ code: 3 }), outlived: [] };
const STOPPING = 'the command left processes running: stopping them (TERM, then KILL when the time is up)';
const logTime = (outcome: Outcome, pattern: RegExp) => outcome.logs.find((line) => pattern.test(line.msg))?.time as number;

describe.each([
  ['as PID 1', { pid1: true }],
  ['as a subreaper (not PID 1)', { pid1: false }],
] as Array<[string, SupervisingOptions]>)('what the command leaves running, lockguard %s', (_, mode) => {
  it('group mode: the background job of `sh -c "job & …; exit 3"` gets TERM once sh exits; exit 3, nothing left', async () => {
    const ran = await runScene([], BACKGROUND_JOB, mode);
    expect(ran).toMatchObject(STOPPED);
    expect(ran.outcome.logs).toContainEqual(expect.objectContaining({ msg: 'what the command left has exited' }));
  });

  it('child mode: the job, adopted by lockguard, gets TERM too (as dumb-init does for its own children)', async () => {
    const ran = await runScene(['--signal-target', 'child'], BACKGROUND_JOB, mode);
    expect(ran).toMatchObject(STOPPED);
    expect(ran.outcome.logs).toContainEqual(expect.objectContaining({ msg: STOPPING, adopted: 1 }));
    expect(ran.outcome.logs.find((line) => line.msg === STOPPING)).not.toHaveProperty('group');
  });

  it('a daemon that left the group (setsid) is reached as an adopted orphan', async () => {
    const daemon = `setsid "$NODE" "$CATCHER" SIGTERM > "$OUT" 2>&1 & ${untilReady('$OUT')}; exit 3`;
    expect(await runScene([], daemon, mode)).toMatchObject(STOPPED);
  });

  it('a job that ignores TERM is KILLed at --kill-after (1s after the command exited); exit 3, nothing left', async () => {
    const ran = await runScene(['--kill-after', '1s'], TERM_IGNORING_JOB, mode);
    expect(ran).toMatchObject(STOPPED);
    // The clock runs from the command's exit, not from this log line: at most 1 s is left when it is written.
    const killInMs = ran.outcome.logs.find((line) => line.msg === STOPPING)!.killInMs as number;
    expect(killInMs).toBeGreaterThan(0);
    expect(killInMs).toBeLessThanOrEqual(1000);
    const waitedMs = logTime(ran.outcome, /still running \d+ ms after SIGTERM: sending SIGKILL$/) - logTime(ran.outcome, /^the command exited$/);
    expect(waitedMs).toBeGreaterThanOrEqual(990);
    // Well before the 3 s default: the deadline is --kill-after's.
    expect(waitedMs).toBeLessThan(2500);
  });
});

describe('what the command leaves running, lockguard as PID 1', () => {
  it('a --kill-after clock already running keeps its deadline (KILL 2s after the TERM, not 2s after the exit), and the job gets one TERM', async () => {
    const { out, left, env } = scene();
    const command = `trap 'sleep 1; exit 3' TERM; ${TERM_IGNORING_JOB.replace(/; exit 3$/, '')}; echo ready; while :; do sleep 0.1; done`;
    const run = startSupervising(['--kill-after', '2s', '--', 'sh', '-c', command], { env: { ...env, LOCKGUARD_LOG_LEVEL: 'debug' } });
    await run.stdoutMatches(/^ready$/m);
    process.kill(await run.trapped(), 'SIGTERM');
    const outcome = await run.done;
    expect({ outcome, printed: readFileSync(out, 'utf8'), outlived: left() }).toMatchObject(STOPPED);
    const killAfterTerm = logTime(outcome, /sending SIGKILL$/) - logTime(outcome, /^forwarding signal$/);
    expect(killAfterTerm).toBeGreaterThanOrEqual(1990);
    expect(outcome.logs.find((line) => line.msg === STOPPING)!.killInMs).toBeLessThan(1500);
  });
});

describe('what the command leaves running, lockguard as a subreaper (not PID 1)', () => {
  it('without --kill-after, a job that ignores TERM is KILLed after the default 3s', async () => {
    const ran = await runScene([], TERM_IGNORING_JOB, { pid1: false });
    expect(ran).toMatchObject(STOPPED);
    const waitedMs = logTime(ran.outcome, /sending SIGKILL$/) - logTime(ran.outcome, /^the command exited$/);
    expect(waitedMs).toBeGreaterThanOrEqual(2990);
  });

  it('group mode with --no-subreaper: the job goes to init, but gets TERM as a member of the group, and lockguard waits for it', async () => {
    const ran = await runScene(['--no-subreaper'], BACKGROUND_JOB, { pid1: false });
    expect(ran).toMatchObject(STOPPED);
    expect(ran.outcome.logs).toContainEqual(expect.objectContaining({ msg: STOPPING, adopted: 0 }));
  });

  it('child mode leaves the group alone: a neighbour in it that lockguard did not adopt gets nothing', async () => {
    const neighbourOut = join(tempDir(), 'neighbour');
    // A new session whose group holds lockguard, its command (child mode) and a neighbour
    // whose parent is init, not lockguard: the subshell that started it is gone.
    const wrapper = `("$NODE" "$CATCHER" SIGUSR1 > "$NEIGHBOUR_OUT" 2>&1 &); ${untilReady('$NEIGHBOUR_OUT')}; exec "$@"`;
    const ran = await runScene(['--signal-target', 'child'], BACKGROUND_JOB, {
      pid1: false,
      env: { NEIGHBOUR_OUT: neighbourOut },
      prefix: ['setsid', 'sh', '-c', wrapper, 'sh'],
    });
    const [neighbour, ...others] = ran.outlived;
    expect({ ...ran, outlived: others }).toMatchObject(STOPPED);
    expect(neighbour).toBeDefined();
    // The USR1 it waits for ends it; a signal from lockguard would have been printed first.
    process.kill(neighbour!, 'SIGUSR1');
    await waitFor(() => (marked(ran.mark).length === 0 ? true : undefined), 'the neighbour to exit on USR1', 10_000);
    expect(readFileSync(neighbourOut, 'utf8')).toBe('ready\nSIGUSR1\n');
  });
});
