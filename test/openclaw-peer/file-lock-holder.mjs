// Takes fs-safe sidecar locks exactly as OpenClaw 2026.9.6 does, through its own plugin-sdk
// (openclaw/plugin-sdk/file-lock: `<target>.lock` = {pid, createdAt, starttime} + ownership token,
// the fd held open), holds them and prints "ready"; the harness SIGKILLs it to leave them behind.
// Usage: node file-lock-holder.mjs TARGET... (the lock is TARGET.lock)
import { acquireFileLock } from 'openclaw/plugin-sdk/file-lock';

// OpenClaw's config-mutation options (src/config/write-lock.ts): 30 s stale, short retries.
const options = { retries: { retries: 0, factor: 1, minTimeout: 1, maxTimeout: 1 }, stale: 30_000 };
for (const target of process.argv.slice(2)) await acquireFileLock(target, options);
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30);
