// Takes fs-safe sidecar locks exactly as OpenClaw 2026.9.6 does, through its own plugin-sdk
// (openclaw/plugin-sdk/file-lock: `<target>.lock` = {pid, createdAt, starttime} + ownership token,
// the fd held open), holds them and prints "ready"; the harness SIGKILLs it to leave them behind.
//
// With --hang-in-reclaim it stops instead inside fs-safe's stale-lock reclaim of the first target,
// right after it made the `<target>.lock.reclaim` guard (fs-safe's own test hook, which it allows
// only under NODE_ENV=test), and prints "guarded": a SIGKILL then leaves a dead reclaimer's guard.
//
// Usage: node file-lock-holder.mjs [--hang-in-reclaim] TARGET...
import { existsSync } from 'node:fs';
import { __setFsSafeTestHooksForTest } from '@openclaw/fs-safe/test-hooks';
import { acquireFileLock } from 'openclaw/plugin-sdk/file-lock';

const args = process.argv.slice(2);
const hang = args[0] === '--hang-in-reclaim';
const targets = hang ? args.slice(1) : args;
// OpenClaw's config-mutation options (src/config/write-lock.ts): 30 s stale, here no retries.
const options = { retries: { retries: 0, factor: 1, minTimeout: 1, maxTimeout: 1 }, stale: 30_000 };

if (hang) {
  __setFsSafeTestHooksForTest({
    // Called on every read of the lock; the guard exists only between fs-safe's mkdir and rmdir.
    beforeSidecarLockSnapshotOpen: async (lockPath) => {
      if (!existsSync(`${lockPath}.reclaim`)) return;
      process.stdout.write('guarded\n');
      // Keep the event loop alive: an unsettled top-level await would end the process, and fs-safe's
      // exit handler would then remove the guard.
      setInterval(() => {}, 1 << 30);
      await new Promise(() => {});
    },
  });
}
for (const target of targets) await acquireFileLock(target, options);
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30);
