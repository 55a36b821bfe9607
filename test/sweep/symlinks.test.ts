// Test 6 (issue 2): symlinks are never followed. A lock (and a guard, a leftover, a store lock) that is a
// symlink to something outside the state dir, a `sessions` dir that is a symlink to `/` and another to a
// directory outside holding a stale-looking lock: nothing outside is read or changed (bytes, mtime and
// atime compared: atimes are set days back, so relatime would record any read). Non-lock files
// (`*.jsonl`, `sessions.json`) are never touched, while the real stale lock beside them is reclaimed.
import { mkdirSync, readlinkSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runSweep } from '../helpers/run.js';
import { judgedAs } from '../helpers/sweep-report.js';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { exists, fingerprint, makeStateDir, makeTempDir, reclaimLeftovers, removeTempDirs, setTimes, writeSessionLock, type Fingerprint } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(removeTempDirs);

const THREE_DAYS = 3 * 86_400_000;

function dirTimes(path: string): { atimeNs: bigint; mtimeNs: bigint } {
  const stat = lstatSync(path, { bigint: true });
  return { atimeNs: stat.atimeNs, mtimeNs: stat.mtimeNs };
}

describe('symlinks and non-lock files', () => {
  it('are never followed, read or changed; only the real stale lock is reclaimed', async () => {
    const lockedAt = ago(PREDATES_NAMESPACE_MS);
    // Outside the state dir: files that look like stale locks and OpenClaw data, and a directory of them.
    const outside = makeTempDir('lockguard-outside-');
    const outsideSessions = join(outside, 'sessions');
    mkdirSync(outsideSessions);
    const outsideFiles = {
      target: join(outside, 'target.jsonl.lock'),
      store: join(outside, 'store.json.lock'),
      inDir: join(outsideSessions, 'elsewhere.jsonl.lock'),
      transcript: join(outsideSessions, 'elsewhere.jsonl'),
    };
    for (const path of [outsideFiles.target, outsideFiles.store, outsideFiles.inDir]) writeSessionLock(path, { pid: 7, starttime: 1 }, lockedAt);
    writeFileSync(outsideFiles.transcript, '{"role":"user"}\n');

    const state = makeStateDir();
    const sessions = state.sessions();
    const stale = state.lockPath('real');
    writeSessionLock(stale, { pid: 7, starttime: 1 }, lockedAt);
    const inside = {
      transcript: join(sessions, 'real.jsonl'),
      store: join(sessions, 'sessions.json'),
      otherTranscript: join(sessions, 'other.jsonl'),
    };
    writeFileSync(inside.transcript, '{"role":"user","text":"hello"}\n');
    writeFileSync(inside.store, '{"sessions":{}}\n');
    writeFileSync(inside.otherTranscript, '');

    const links = {
      lock: join(sessions, 'evil.jsonl.lock'),
      storeLock: join(sessions, 'sessions.json.lock'),
      guard: join(sessions, 'planted.jsonl.lock.reclaim'),
      leftover: join(sessions, 'moved.jsonl.lock.lockguard-0123456789abcdef'),
    };
    symlinkSync(outsideFiles.target, links.lock);
    symlinkSync(outsideFiles.store, links.storeLock);
    symlinkSync(outside, links.guard);
    symlinkSync(outsideFiles.target, links.leftover);
    mkdirSync(join(state.dir, 'agents', 'linked'));
    symlinkSync(outsideSessions, join(state.dir, 'agents', 'linked', 'sessions'));
    mkdirSync(join(state.dir, 'agents', 'root'));
    symlinkSync('/', join(state.dir, 'agents', 'root', 'sessions'));
    symlinkSync(outside, join(state.dir, 'agents', 'whole-agent'));

    // Date every file and directory whose reading we watch: atime three days back, so any read moves it.
    for (const path of [...Object.values(outsideFiles), ...Object.values(inside)]) setTimes(path, lockedAt, Date.now() - THREE_DAYS);
    for (const dir of [outside, outsideSessions]) setTimes(dir, lockedAt, Date.now() - THREE_DAYS);
    const before = new Map<string, Fingerprint>([...Object.values(outsideFiles), ...Object.values(inside)].map((path) => [path, fingerprint(path)]));
    const dirsBefore = [outside, outsideSessions].map(dirTimes);

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir]);
    expect(code, stderr).toBe(0);

    expect(judgedAs(report, stale)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'], action: 'reclaimed' });
    expect(exists(stale)).toBe(false);
    for (const [name, link] of Object.entries(links)) {
      expect(judgedAs(report, link), name).toEqual({ verdict: 'unknown', reasons: ['not-a-regular-file'], action: 'kept' });
    }
    // Exactly these entries: nothing through agents/linked, agents/root (/) or agents/whole-agent, and no non-lock file.
    expect(report.locks.map((lock) => lock.path).sort()).toEqual([stale, ...Object.values(links)].sort());
    expect(report.summary).toMatchObject({ locks: 5, stale: 1, reclaimed: 1, unknown: 4, errors: 0 });

    // The symlinks are still there, pointing where they pointed.
    expect(readlinkSync(links.lock)).toBe(outsideFiles.target);
    expect(readlinkSync(links.storeLock)).toBe(outsideFiles.store);
    expect(readlinkSync(links.guard)).toBe(outside);
    expect(readlinkSync(links.leftover)).toBe(outsideFiles.target);
    expect(readlinkSync(join(state.dir, 'agents', 'root', 'sessions'))).toBe('/');
    // Nothing outside, and no non-lock file inside, was read (atime) or changed (bytes, inode, mtime).
    for (const [path, was] of before) {
      const now = fingerprint(path);
      expect(now.bytes.equals(was.bytes), path).toBe(true);
      expect(now.ino, path).toBe(was.ino);
      expect(now.mtimeNs, path).toBe(was.mtimeNs);
      expect(now.atimeNs, `${path} was read`).toBe(was.atimeNs);
    }
    expect([outside, outsideSessions].map(dirTimes), 'an outside directory was listed').toEqual(dirsBefore);
    expect(reclaimLeftovers(outside)).toEqual([]);
    expect(reclaimLeftovers(state.dir).sort()).toEqual([links.guard, links.leftover].sort());
  });
});
