// Waiting for something the test cannot be told about: poll it.
import { readFileSync } from 'node:fs';
import { waitFor } from '../../harness/run.js';

export { waitFor };

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
