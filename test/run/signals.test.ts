// Signals sent to lockguard (PID 1) reach the command, or stop lockguard before it starts it.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { NODE } from '../helpers/run.js';
import { DEAD_PID, writeSessionLock } from '../helpers/state.js';
import { waitForPause } from '../helpers/wait.js';
import { FIXTURES, signalInTurn, startSupervising, tempDir } from './harness.js';

// Written out independently of src/run/signals.ts, so that a signal dropped from the
// forwarding table fails here: 1–31 except the uncatchable, SIGCHLD and the faults.
const NOT_FORWARDED = new Set(['SIGKILL', 'SIGSTOP', 'SIGCHLD', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT', 'SIGTRAP', 'SIGSYS'].map((name) => constants.signals[name as NodeJS.Signals]));
const FORWARDABLE: NodeJS.Signals[] = [];
for (let number = 1; number <= 31; number++) {
  const name = (Object.keys(constants.signals) as NodeJS.Signals[]).find((candidate) => constants.signals[candidate] === number)!;
  if (!NOT_FORWARDED.has(number)) FORWARDABLE.push(name);
}

describe('forwarding, lockguard as PID 1', () => {
  it(`delivers every forwardable signal (${FORWARDABLE.length} of 1–31) to the child, in the order sent`, async () => {
    expect(FORWARDABLE).toHaveLength(21);
    const outcome = await signalInTurn([], FORWARDABLE, FORWARDABLE);
    expect(outcome.stdout).toBe(['ready', ...FORWARDABLE].join('\n') + '\n');
    expect(outcome.code).toBe(0);
  });

  it('with --signal-target group (the default), a grandchild in the child\'s group gets TERM too', async () => {
    const run = startSupervising(['--', NODE, join(FIXTURES, 'family.mjs')]);
    await run.stdoutMatches(/^ready$/m);
    process.kill(await run.trapped(), 'SIGTERM');
    const outcome = await run.done;
    expect(outcome.stdout).toMatch(/^child: SIGTERM$/m);
    expect(outcome.stdout).toMatch(/^grandchild: SIGTERM$/m);
    expect(outcome.code).toBe(0);
  });

  it('with --signal-target child, only the child gets TERM', async () => {
    const run = startSupervising(['--signal-target', 'child', '--', NODE, join(FIXTURES, 'family.mjs')]);
    await run.stdoutMatches(/^ready$/m);
    process.kill(await run.trapped(), 'SIGTERM');
    const outcome = await run.done;
    expect(outcome.stdout).toMatch(/^child: SIGTERM$/m);
    expect(outcome.stdout).not.toMatch(/grandchild: SIGTERM/);
    expect(outcome.code).toBe(0);
  });
});

describe('--kill-after', () => {
  it('SIGKILLs a child that ignores TERM about 1s after the TERM: exit 137', async () => {
    const run = startSupervising(['--kill-after', '1s', '--', 'sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done']);
    await run.stdoutMatches(/^ready$/m);
    const lockguardPid = await run.trapped();
    const sentAt = performance.now();
    process.kill(lockguardPid, 'SIGTERM');
    const outcome = await run.done;
    const elapsedMs = performance.now() - sentAt;
    expect(outcome.code).toBe(137);
    expect(elapsedMs).toBeGreaterThanOrEqual(800);
    expect(elapsedMs).toBeLessThanOrEqual(5000);
    expect(outcome.logs.some((line) => line.level === 40 && /sending SIGKILL \(--kill-after\)/.test(line.msg))).toBe(true);
  });
});

describe('a signal during the sweep', () => {
  it('stops lockguard with 143 before the command ever runs', async () => {
    const marker = join(tempDir(), 'ran');
    // A previous container's session lock: stale, so the sweep sets it aside for the settle, and holds still at the
    // settle's pause point until the TERM has been sent, however slowly this test gets there.
    const state = tempDir('lockguard-state-');
    const lock = join(state, 'agents', 'main', 'sessions', 's1.jsonl.lock');
    mkdirSync(dirname(lock), { recursive: true });
    writeSessionLock(lock, { pid: DEAD_PID }, ago(PREDATES_NAMESPACE_MS));
    const pause = join(tempDir(), 'pause');
    const run = startSupervising(['--state-dir', state, '--', 'touch', marker], { env: { LOCKGUARD_TEST_PAUSE_AT: 'settling', LOCKGUARD_TEST_PAUSE_FILE: pause } });
    await waitForPause(pause, run.done);
    process.kill(await run.trapped(), 'SIGTERM');
    rmSync(pause);
    const outcome = await run.done;
    expect(outcome.code).toBe(143);
    expect(existsSync(marker)).toBe(false);
    expect(outcome.logs.some((line) => line.msg === 'started the command')).toBe(false);
  });
});
