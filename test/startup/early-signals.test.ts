// A `docker stop` while lockguard is still loading. The bootstrap (dist/entrypoint.js) catches
// signals from its first statement; a TERM that arrives before the bundle is even read is acted
// on at the first turn of the event loop: during the sweep it stops lockguard with 143 before
// the command starts, and after a sweep that never yielded it reaches the command. Without that
// early handler, PID 1 would drop the TERM and run the command as if nothing had happened.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startSupervising, tempDir, type Outcome } from '../run/harness.js';

const HOLD_BEFORE_BUNDLE = join(import.meta.dirname, 'fixtures', 'hold-before-bundle.cjs');

/** Starts lockguard as PID 1, sends TERM while it is held before its bundle, then lets it go on. */
async function termBeforeBundle(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const hold = join(tempDir(), 'hold');
  const run = startSupervising(args, { nodeArgs: ['--require', HOLD_BEFORE_BUNDLE], env: { LOCKGUARD_TEST_HOLD_FILE: hold, ...env } });
  await waitFor(() => existsSync(hold) || undefined, 'lockguard to reach the point before its bundle');
  process.kill(await run.trapped(), 'SIGTERM');
  rmSync(hold);
  return run.done;
}

const started = (outcome: Outcome) => outcome.logs.some((line) => line.msg === 'started the command');

describe('TERM before the bundle is loaded, lockguard as PID 1', () => {
  // The test hook makes the sweep wait, so the event loop turns during it.
  const slowSweep = { LOCKGUARD_TEST_SWEEP_DELAY_MS: '300' };

  it('run mode, the sweep yields: 143, and the command never starts', async () => {
    const marker = join(tempDir(), 'ran');
    const outcome = await termBeforeBundle(['--', 'touch', marker], slowSweep);
    expect(outcome.code, outcome.stderr).toBe(143);
    expect(existsSync(marker)).toBe(false);
    expect(started(outcome)).toBe(false);
  });

  it('sweep mode, the sweep yields: 143', async () => {
    const outcome = await termBeforeBundle(['sweep'], slowSweep);
    expect(outcome.code, outcome.stderr).toBe(143);
  });

  it('run mode, a sweep that never yields: the TERM reaches the command', async () => {
    // `sleep 20` ends with 0 unless the TERM reaches it: 143 is the proof, however long the machine takes to get there.
    const outcome = await termBeforeBundle(['--', 'sleep', '20']);
    expect(outcome.code, outcome.stderr).toBe(143);
    expect(started(outcome)).toBe(true);
  });
});
