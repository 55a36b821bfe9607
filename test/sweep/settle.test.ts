// OpenClaw releases a lock by closing its fd, then removing the file. A stale lock whose owner may live
// out of sight is therefore reclaimed after a settle time, and only if it is still unchanged: an owner
// that was releasing it has removed it by then, and the next holder's new lock must survive.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { assertBuilt, holdOpen, LOCK_WRITER, NODE, runSweep, startHelper, stopHelpers } from '../helpers/run.js';
import { waitForPause } from '../helpers/wait.js';
import { entryFor, judgedAs } from '../helpers/sweep-report.js';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { fingerprint, makeStateDir, makeTempDir, reclaimLeftovers, removeTempDirs, setTimes, writeSessionLock } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await stopHelpers();
  removeTempDirs();
});

it('a lock released (closed, then removed) while it settles is not reclaimed, and the next holder keeps its lock', async () => {
  const state = makeStateDir();
  const out = makeTempDir();
  const lock = state.lockPath('released');
  writeSessionLock(lock, { pid: 7, starttime: 1 }, ago(PREDATES_NAMESPACE_MS));
  const marker = join(out, 'paused');

  const sweep = runSweep(['--state-dir', state.dir, '--volume', 'exclusive'], { env: { LOCKGUARD_TEST_PAUSE_AT: 'settling', LOCKGUARD_TEST_PAUSE_FILE: marker } });
  expect(await waitForPause(marker, sweep)).toMatchObject({ step: 'settling', path: lock });
  // The owner finishes its release (its late remove), and a live gateway takes the session at once.
  unlinkSync(lock);
  await startHelper([NODE, LOCK_WRITER, lock, 'hold']);
  const taken = fingerprint(lock);
  unlinkSync(marker);

  const { code, report, stderr } = await sweep;
  expect(code, stderr).toBe(0);
  expect(judgedAs(report, lock)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
  const now = fingerprint(lock);
  expect(now.ino).toBe(taken.ino);
  expect(now.bytes.equals(taken.bytes)).toBe(true);
  expect(reclaimLeftovers(state.dir)).toEqual([]);
});

it('a lock still unchanged after the settle time is reclaimed', async () => {
  const state = makeStateDir();
  const lock = state.lockPath('dead');
  writeSessionLock(lock, { pid: 7, starttime: 1 }, ago(PREDATES_NAMESPACE_MS));
  const { code, report, stderr } = await runSweep(['--state-dir', state.dir]);
  expect(code, stderr).toBe(0);
  expect(entryFor(report, lock)).toMatchObject({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
  expect(existsSync(lock)).toBe(false);
});

it('a lock rewritten in place while it settles, its size and mtime as before, is read again and kept as changed', async () => {
  const state = makeStateDir();
  const out = makeTempDir();
  const lock = state.lockPath('rewritten');
  const atMs = ago(PREDATES_NAMESPACE_MS);
  const before = writeSessionLock(lock, { pid: 7, starttime: 1 }, atMs);
  const marker = join(out, 'paused');

  const sweep = runSweep(['--state-dir', state.dir, '--volume', 'exclusive'], { env: { LOCKGUARD_TEST_PAUSE_AT: 'settling', LOCKGUARD_TEST_PAUSE_FILE: marker } });
  expect(await waitForPause(marker, sweep)).toMatchObject({ step: 'settling', path: lock });
  // Same inode, same size, the mtime put back: only the ctime (and the bytes) tell the second look it changed.
  const after = Buffer.from(before.toString().replace('"starttime":1', '"starttime":2'));
  expect(after.length).toBe(before.length);
  writeFileSync(lock, after, { flag: 'r+' });
  setTimes(lock, atMs);
  unlinkSync(marker);

  const { code, report, stderr } = await sweep;
  expect(code, stderr).toBe(0);
  expect(entryFor(report, lock)).toMatchObject({ verdict: 'stale', action: 'kept', error: 'changed while it settled; left for the next sweep' });
  expect(fingerprint(lock).bytes.equals(after)).toBe(true);
  expect(reclaimLeftovers(state.dir)).toEqual([]);
});

/** A lock as OpenClaw 2026.9's fs-safe writes it: pretty JSON, then its ownership token (8 tabs, then 128 tabs or spaces). */
function fsSafeLock(payload: Record<string, unknown>): string {
  return `${JSON.stringify(payload, null, 2)}\n${'\t'.repeat(8)}${' \t'.repeat(64)}\n`;
}

it('a gateway lock whose coordinator is free is reclaimed at the first look; kinds whose release may be in flight settle', async () => {
  const state = makeStateDir();
  const at = ago(PREDATES_NAMESPACE_MS);
  const createdAt = new Date(at).toISOString();
  const write = (path: string, bytes: string) => {
    writeFileSync(path, bytes);
    setTimes(path, at);
  };
  const session = state.lockPath('dead');
  writeSessionLock(session, { pid: 7, starttime: 1 }, at);
  const lockDir = join(state.dir, 'tmp', 'openclaw-0');
  mkdirSync(lockDir, { recursive: true });
  const gateway = (pid: number) => fsSafeLock({ pid, ownerId: randomUUID(), createdAt, configPath: join(state.dir, 'openclaw.json'), stateDir: state.dir, startTime: 1234 });
  // Dead, its coordinator free: the kernel dropped the record lock with its owner.
  const freed = join(lockDir, 'gateway.state.lock');
  write(freed, gateway(1));
  writeFileSync(`${freed}.sqlite`, '');
  // No coordinator beside it (a writer from before coordinators): nothing rules out a release in flight.
  const bare = join(lockDir, 'gateway.0123abcd.lock');
  write(bare, gateway(1));
  const sidecar = join(state.dir, 'openclaw.json.lock');
  write(sidecar, fsSafeLock({ pid: 1, createdAt, starttime: 99 }));
  // A live gateway's lock, coordinator free too: held open, it is kept.
  const live = join(lockDir, 'gateway.4567cdef.lock');
  writeFileSync(`${live}.sqlite`, '');
  const liveBytes = gateway(1);
  await holdOpen(live, 'create', liveBytes, ['unshare', '--pid', '--fork', '--mount-proc']);
  const marker = join(makeTempDir(), 'paused');

  const sweep = runSweep(['--state-dir', state.dir], { env: { LOCKGUARD_TEST_PAUSE_AT: 'settling', LOCKGUARD_TEST_PAUSE_FILE: marker } });
  const paused = await waitForPause(marker, sweep);
  expect(paused.path.split('\n').sort()).toEqual([bare, session, sidecar].sort());
  expect(existsSync(freed)).toBe(false);
  expect(existsSync(`${freed}.sqlite`), 'a coordinator is never deleted').toBe(true);
  unlinkSync(marker);

  const { code, report, stderr } = await sweep;
  expect(code, stderr).toBe(0);
  for (const lock of [freed, bare, session, sidecar]) expect(judgedAs(report, lock)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
  expect(judgedAs(report, live)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
  expect(readFileSync(live, 'utf8')).toBe(liveBytes);
});
