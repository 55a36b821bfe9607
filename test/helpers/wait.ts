// Waiting for something the test cannot be told about: poll it.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Poll `probe` every 10 ms until it gives a value; throws, naming `what`, after timeoutMs. */
export async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface PauseMarker {
  step: string;
  path: string;
  pid: number;
}

/** The pause marker lockguard writes at a LOCKGUARD_TEST_PAUSE_AT step, once it is there whole. */
export function readPauseMarker(marker: string): PauseMarker | undefined {
  try {
    return JSON.parse(readFileSync(marker, 'utf8')) as PauseMarker;
  } catch {
    return undefined;
  }
}

/** Wait until lockguard reaches its pause point (see src/testing/pause.ts); fails if it finishes first. */
export async function waitForPause(marker: string, run?: Promise<unknown>, timeoutMs = 20_000): Promise<PauseMarker> {
  let finished = false;
  void run?.finally(() => (finished = true));
  return waitFor(() => {
    const paused = readPauseMarker(marker);
    if (!paused && finished) throw new Error('lockguard finished without reaching the pause point');
    return paused;
  }, 'lockguard to reach the pause point', timeoutMs);
}
