// Directory entries in bulk (getdents64) against the real kernel: every entry readdir gives, once, with
// its type; a name is decoded only where the walk may want it, and nothing else is skipped.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryEntries, SKIPPED, type EndBytes, type EntryType } from '../../src/locks/entries.js';

const root = mkdtempSync(join(tmpdir(), 'lockguard-entries-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function listAll(dir: string, wanted: EndBytes, bufferBytes: number): { entries: Map<string, EntryType>; skipped: number } {
  const reader = new DirectoryEntries(dir, wanted, Buffer.alloc(bufferBytes));
  const entries = new Map<string, EntryType>();
  let skipped = 0;
  try {
    for (let entry = reader.next(); entry !== null; entry = reader.next()) {
      if (entry === SKIPPED) skipped++;
      else {
        expect(entries.has(entry.name), entry.name).toBe(false);
        entries.set(entry.name, entry.type);
      }
    }
  } finally {
    reader.close();
  }
  return { entries, skipped };
}

function endBytes(...chars: string[]): Uint8Array {
  const table = new Uint8Array(256);
  for (const char of chars) table[char.charCodeAt(0)] = 1;
  return table;
}

describe('DirectoryEntries', () => {
  it('gives every entry readdir gives, with its type, but "." and ".."; over many buffers of entries', () => {
    const dir = join(root, 'many');
    mkdirSync(dir);
    for (let i = 0; i < 3_000; i++) writeFileSync(join(dir, `s-${i}.jsonl${i % 10 === 0 ? '.lock' : ''}`), '');
    mkdirSync(join(dir, 'sub'));
    symlinkSync('/nowhere', join(dir, 'link.lock'));
    const { entries, skipped } = listAll(dir, 'all', 512);
    expect(skipped).toBe(0);
    expect([...entries.keys()].sort()).toEqual(readdirSync(dir).sort());
    expect(entries.get('sub')).toBe('directory');
    expect(entries.get('link.lock')).toBe('symlink');
    expect(entries.get('s-10.jsonl.lock')).toBe('file');
  });

  it('decodes only names whose last byte is wanted, and every directory, and counts the rest as skipped', () => {
    const dir = join(root, 'wanted');
    mkdirSync(dir);
    for (const name of ['a.jsonl', 'b.jsonl', 'c.jsonl.lock', 'd.lock.reclaim', 'e.lock.lockguard-0123abcd']) writeFileSync(join(dir, name), '');
    mkdirSync(join(dir, 'agents.l'));
    const { entries, skipped } = listAll(dir, endBytes('k', 'm', 'd'), 4096);
    expect([...entries.keys()].sort()).toEqual(['agents.l', 'c.jsonl.lock', 'd.lock.reclaim', 'e.lock.lockguard-0123abcd']);
    expect(skipped).toBe(2);
  });

  it('decodes a name that is not UTF-8 as Node does (U+FFFD), so that the walk can report it', () => {
    const dir = join(root, 'bytes');
    mkdirSync(dir);
    writeFileSync(Buffer.from([...Buffer.from(join(dir, 'x')), 0xff, ...Buffer.from('.lock')]), '');
    const { entries } = listAll(dir, endBytes('k'), 4096);
    expect([...entries.keys()]).toEqual(readdirSync(dir));
    expect([...entries.keys()][0]).toContain('\uFFFD');
  });

  it('for any names and any wanted last bytes: exactly the directories and the names ending in a wanted byte', () => {
    const name = fc.stringMatching(/^[a-z0-9._-]{1,40}$/).filter((n) => n !== '.' && n !== '..');
    let run = 0;
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 60 }), fc.uniqueArray(name, { maxLength: 5 }), fc.subarray([...'abcdefklmnz0189._-']), fc.integer({ min: 64, max: 4096 }), (files, dirs, ends, bufferBytes) => {
        const dir = join(root, `prop-${run++}`);
        mkdirSync(dir);
        const dirNames = dirs.filter((d) => !files.includes(d));
        for (const file of files.filter((f) => !dirNames.includes(f))) writeFileSync(join(dir, file), '');
        for (const sub of dirNames) mkdirSync(join(dir, sub));
        const { entries, skipped } = listAll(dir, endBytes(...ends), Math.max(bufferBytes, 300));
        const expected = readdirSync(dir).filter((n) => dirNames.includes(n) || ends.includes(n.at(-1)!));
        expect([...entries.keys()].sort()).toEqual(expected.sort());
        expect(skipped).toBe(readdirSync(dir).length - expected.length);
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 200 },
    );
  });

  it('throws as openSync does for a directory that cannot be opened', () => {
    expect(() => new DirectoryEntries(join(root, 'missing'), 'all', Buffer.alloc(1024))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
