// The reclaim guard, OpenClaw's convention: `mkdir <lock>.reclaim` before touching a lock, so two
// reclaimers never work on one lock at once. lockguard writes its identity into the guard, so a
// guard left by a killed lockguard can be judged like a lock and cleared on the same proofs.
import { mkdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUARD_SUFFIX } from '../locks/discover.js';

export const GUARD_OWNER_FILE = 'owner.json';

export function guardPathOf(lockPath: string): string {
  return lockPath + GUARD_SUFFIX;
}

/**
 * Take the guard, writing `owner` into it. An existing guard is cleared only when `clearStaleGuard`
 * proves it stale; otherwise (or if it comes back) another reclaimer has it: 'guarded'.
 */
export function takeGuard(guard: string, owner: string, clearStaleGuard: (guard: string) => boolean): 'taken' | 'guarded' | { failed: string } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(guard, { mode: 0o700 });
      writeFileSync(join(guard, GUARD_OWNER_FILE), owner, { flag: 'wx', mode: 0o600 });
      return 'taken';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return { failed: `cannot take reclaim guard ${guard} (${code})` };
      if (attempt > 0 || !clearStaleGuard(guard)) return 'guarded';
    }
  }
  return 'guarded';
}

export function releaseGuard(guard: string): void {
  try {
    unlinkSync(join(guard, GUARD_OWNER_FILE));
  } catch {
    // Already gone, or an OpenClaw guard without an owner file.
  }
  try {
    rmdirSync(guard);
  } catch {
    // Left for the next sweep, which judges it like any other lock.
  }
}
