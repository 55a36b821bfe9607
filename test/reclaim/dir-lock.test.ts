import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotDirLock, type DirLockSnapshot } from '../../src/locks/read.js';
import { reclaimDirLock, restoreDirLock } from '../../src/reclaim/dir-lock.js';

let root: string;
let lock: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lockguard-dirlock-'));
  mkdirSync(join(root, 'openclaw-2026.9.1', 'node_modules'), { recursive: true });
  writeFileSync(join(root, 'openclaw-2026.9.1', 'package.json'), '{}');
  lock = join(root, 'openclaw-2026.9.1', '.openclaw-runtime-deps.lock');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function makeLock(owner: object): void {
  mkdirSync(lock);
  writeFileSync(join(lock, 'owner.json'), `${JSON.stringify(owner, null, 2)}\n`);
}

function snap(path = lock): DirLockSnapshot {
  const outcome = snapshotDirLock(path);
  if (!outcome.ok) throw new Error(outcome.code);
  return outcome.snapshot;
}

describe('snapshotDirLock', () => {
  it('reads the directory and its owner.json', () => {
    makeLock({ pid: 7, createdAtMs: 1_760_000_000_000 });
    const snapshot = snap();
    expect(snapshot.entries).toEqual(['owner.json']);
    expect(JSON.parse(snapshot.owner!.bytes.toString())).toEqual({ pid: 7, createdAtMs: 1_760_000_000_000 });
  });

  it('does not follow a symlinked lock or a symlinked owner.json', () => {
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), lock);
    expect(snapshotDirLock(lock)).toMatchObject({ ok: false, notDirectory: true });
    rmSync(lock);
    mkdirSync(lock);
    writeFileSync(join(root, 'elsewhere', 'owner.json'), '{"pid":7}');
    symlinkSync(join(root, 'elsewhere', 'owner.json'), join(lock, 'owner.json'));
    expect(snapshotDirLock(lock)).toMatchObject({ ok: false, code: 'ELOOP' });
  });
});

describe('reclaimDirLock', () => {
  it('removes the whole lock directory and touches nothing else in plugin-runtime-deps', () => {
    makeLock({ pid: 7, createdAtMs: 1 });
    expect(reclaimDirLock(snap(), undefined)).toEqual({ status: 'reclaimed' });
    expect(readdirSync(join(root, 'openclaw-2026.9.1')).sort()).toEqual(['node_modules', 'package.json']);
  });

  it('puts back a lock that was replaced between judging and reclaiming (a live owner keeps it)', () => {
    makeLock({ pid: 7, createdAtMs: 1 });
    const judged = snap();
    rmSync(lock, { recursive: true });
    makeLock({ pid: 12, createdAtMs: 2 }); // A live installer took the lock meanwhile.
    expect(reclaimDirLock(judged, undefined)).toMatchObject({ status: 'race' });
    expect(JSON.parse(readFileSync(join(lock, 'owner.json'), 'utf8'))).toEqual({ pid: 12, createdAtMs: 2 });
    expect(readdirSync(join(root, 'openclaw-2026.9.1')).sort()).toEqual(['.openclaw-runtime-deps.lock', 'node_modules', 'package.json']);
  });

  it('puts back a lock whose owner.json was rewritten in place', () => {
    makeLock({ pid: 7, createdAtMs: 1 });
    const judged = snap();
    writeFileSync(join(lock, 'owner.json'), '{"pid":99}');
    expect(reclaimDirLock(judged, undefined)).toMatchObject({ status: 'race' });
    expect(readFileSync(join(lock, 'owner.json'), 'utf8')).toBe('{"pid":99}');
  });

  it('leaves a directory with more than owner.json alone', () => {
    makeLock({ pid: 7 });
    writeFileSync(join(lock, 'partial.tgz'), 'x');
    expect(reclaimDirLock(snap(), undefined)).toMatchObject({ status: 'failed' });
    expect(readdirSync(lock).sort()).toEqual(['owner.json', 'partial.tgz']);
  });

  it('says vanished when the owner released the lock first', () => {
    makeLock({ pid: 7 });
    const judged = snap();
    rmSync(lock, { recursive: true });
    expect(reclaimDirLock(judged, undefined)).toEqual({ status: 'vanished' });
  });

  it('moves the lock into --keep-reclaimed instead of deleting it', () => {
    makeLock({ pid: 7 });
    const keepDir = join(root, 'kept');
    mkdirSync(keepDir);
    expect(reclaimDirLock(snap(), keepDir)).toEqual({ status: 'reclaimed' });
    const [kept] = readdirSync(keepDir);
    expect(kept).toMatch(/^\.openclaw-runtime-deps\.lock\.lockguard-[0-9a-f]{16}$/);
    expect(readdirSync(join(keepDir, kept!))).toEqual(['owner.json']);
  });
});

describe('errors name the errno by its code', () => {
  it('a --keep-reclaimed dir that does not exist: ENOENT, and the lock stays aside for the next sweep', () => {
    makeLock({ pid: 7 });
    const outcome = reclaimDirLock(snap(), join(root, 'missing'));
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(outcome.status === 'failed' && outcome.detail).toMatch(/cannot move into .*missing \(ENOENT\)$/);
  });
});

describe('restoreDirLock', () => {
  it('puts a leftover back, but never over a newer lock', () => {
    const leftover = `${lock}.lockguard-0123456789abcdef`;
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'owner.json'), '{"pid":7}');
    mkdirSync(lock); // A newer (even empty, just created) lock holds the name.
    expect(restoreDirLock(leftover)).toEqual({ ok: false, original: lock, code: 'EEXIST' });
    expect(readdirSync(lock)).toEqual([]);
    rmSync(lock, { recursive: true });
    expect(restoreDirLock(leftover)).toEqual({ ok: true, original: lock });
    expect(readdirSync(lock)).toEqual(['owner.json']);
  });
});
