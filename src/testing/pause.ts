// Test-only pause points. With LOCKGUARD_TEST_PAUSE_AT=<step> and LOCKGUARD_TEST_PAUSE_FILE=<path>
// set, lockguard writes the step and lock path to <path> on reaching that step and waits until
// the file is removed, so a test can race it or SIGKILL it there. Unset in production: a no-op.
import { existsSync, writeFileSync } from 'node:fs';

export type PauseStep = 'settling' | 'judged' | 'guard-taken' | 'renamed' | 'verified' | 'unlinked' | 'host-scanned';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function pausePoint(step: PauseStep, path: string): void {
  const wanted = process.env.LOCKGUARD_TEST_PAUSE_AT;
  const marker = process.env.LOCKGUARD_TEST_PAUSE_FILE;
  if (!wanted || !marker || !wanted.split(',').includes(step)) return;
  writeFileSync(marker, JSON.stringify({ step, path, pid: process.pid }));
  // Synchronous on purpose: the reclaim step must not yield to the event loop here.
  while (existsSync(marker)) Atomics.wait(sleeper, 0, 0, 5);
}
