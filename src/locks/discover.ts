// Finds lock candidates under a state dir by walking only the directories a pattern can
// reach. Symlinks are never followed: a symlinked directory is not entered, a symlinked
// lock is reported as what it is. Directories are streamed, so a huge one costs no memory.
//
// The walk is synchronous (getdents64 through entries.ts): an async walk pays a thread-pool round
// trip per batch and a promise per entry, which made it several times slower than `find`.
// So that signal handlers still run during a long walk, it yields SAFE_POINT every
// SAFE_POINT_EVERY directory entries: always between candidates, never inside one.
import { join } from 'node:path';
import { DIRENTS_BUFFER_BYTES, DirectoryEntries, SKIPPED, type EndBytes } from './entries.js';
import type { PayloadKind } from './payload.js';

export interface LockPattern {
  /** Path segments relative to the state dir; "*" and "?" match within a segment, "**" any depth. */
  glob: string;
  kind: PayloadKind;
  /** file: the lock is a file holding its payload; directory: mkdir is the lock, and owner.json in it the payload. */
  form: 'file' | 'directory';
}

export interface Candidate {
  path: string;
  /** 'lock': a lock itself; 'guard': <lock>.reclaim; 'leftover': <lock>.lockguard-<random> from an interrupted reclaim. */
  role: 'lock' | 'guard' | 'leftover';
  kind: PayloadKind;
  form: LockPattern['form'];
  /** What the directory entry was (lstat type): symlinks and other types are reported, never followed. */
  entryType: 'file' | 'directory' | 'symlink' | 'other';
}

export interface WalkProblem {
  path: string;
  error: NodeJS.ErrnoException;
}

export const GUARD_SUFFIX = '.reclaim';
export const LEFTOVER_INFIX = '.lockguard-';
const LEFTOVER_TAIL = /^[0-9a-f]{8,32}$/;
const LEFTOVER_TAIL_DIGITS = '0123456789abcdef';

/** Yielded between candidates: the consumer may let the event loop run (and check for a signal) here. */
export const SAFE_POINT = Symbol('lockguard.discover.safe-point');
export type SafePoint = typeof SAFE_POINT;
/** Directory entries read between two safe points. */
export const SAFE_POINT_EVERY = 512;

interface Segment {
  /** null for "**". */
  pattern: RegExp | null;
  /** The literal text after the segment's last wildcard: every name the segment matches ends with it. */
  tail: string;
}

interface Cursor {
  segments: Segment[];
  index: number;
  /** The pattern this cursor walks: each is one object, so identity tells cursors of different patterns apart. */
  lock: LockPattern;
  /** The pattern's place in the list: where several match one name, the first decides its kind. */
  rank: number;
}

export function segmentPattern(segment: string): RegExp {
  let source = '';
  for (const char of segment) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function literalTail(segment: string): string {
  const lastWildcard = Math.max(segment.lastIndexOf('*'), segment.lastIndexOf('?'));
  return segment.slice(lastWildcard + 1);
}

function cursorsOf(patterns: LockPattern[]): Cursor[] {
  return patterns.map((lock, rank) => {
    const parts = lock.glob.split('/').filter((part) => part !== '' && part !== '.');
    return { segments: parts.map((part) => (part === '**' ? { pattern: null, tail: '' } : { pattern: segmentPattern(part), tail: literalTail(part) })), index: 0, lock, rank };
  });
}

/** Each path is yielded once, as the first pattern that matches it says: callers list OpenClaw's patterns, which know more, before the user's globs. */
export function* discover(stateDir: string, patterns: LockPattern[], onProblem: (problem: WalkProblem) => void): Generator<Candidate | SafePoint, void, undefined> {
  // Paths are `prefix + name`: for the state dir as given, the prefix path.join would give (it normalizes
  // "./", "a/../", a trailing "/"); below it, every dir is already normal, so "dir/" is join's answer too.
  const rootPrefix = join(stateDir, 'x').slice(0, -1);
  yield* walk(stateDir, rootPrefix, cursorsOf(patterns), onProblem, { entries: 0, buffer: Buffer.allocUnsafe(DIRENTS_BUFFER_BYTES) });
}

/** What the walk carries from directory to directory: the entries read so far, and the one buffer they are read into. */
interface WalkState {
  entries: number;
  buffer: Buffer;
}

function* walk(dir: string, prefix: string, cursors: Cursor[], onProblem: (problem: WalkProblem) => void, counter: WalkState): Generator<Candidate | SafePoint, void, undefined> {
  let handle: DirectoryEntries;
  try {
    handle = new DirectoryEntries(dir, endBytesOf(cursors), counter.buffer);
  } catch (error) {
    onProblem({ path: dir, error: error as NodeJS.ErrnoException });
    return;
  }
  // Subdirectories are entered after this one is closed, so the walk holds one directory fd at a time.
  const subdirs = new Map<string, Cursor[]>();
  try {
    for (;;) {
      // Entry types are lstat's: where the filesystem gives DT_UNKNOWN, entries.ts lstat()s the entry.
      const entry = handle.next();
      if (entry === null) break;
      if (++counter.entries % SAFE_POINT_EVERY === 0) yield SAFE_POINT;
      if (entry === SKIPPED) continue;
      const name = entry.name;
      const isDirectory = entry.type === 'directory';
      // A name several patterns match (an OpenClaw lock and a user's "**/*.lock") is one candidate, judged once.
      let match: { cursor: Cursor; role: Candidate['role'] } | undefined;
      for (const cursor of cursors) {
        if (mayBeLeaf(cursor, name) && (match === undefined || cursor.rank < match.cursor.rank)) {
          const role = leafRole(cursor, name);
          if (role) match = { cursor, role };
        }
        if (isDirectory) for (const next of descend(cursor, name)) addCursor(subdirs, prefix + name, next);
      }
      if (match && name.includes(UNDECODABLE)) onProblem({ path: prefix + name, error: undecodableName() });
      else if (match) yield { path: prefix + name, role: match.role, kind: match.cursor.lock.kind, form: match.cursor.lock.form, entryType: entry.type };
    }
  } catch (error) {
    onProblem({ path: dir, error: error as NodeJS.ErrnoException });
  } finally {
    handle.close();
  }
  for (const [subdir, next] of subdirs) yield* walk(subdir, subdir + '/', next, onProblem, counter);
}

/**
 * Names arrive decoded as UTF-8; bytes that are not UTF-8 become U+FFFD, and the decoded
 * name no longer opens the file. Such a lock is reported, never judged under a wrong name.
 */
const UNDECODABLE = '\uFFFD';

function undecodableName(): NodeJS.ErrnoException {
  return Object.assign(new Error('the name is not valid UTF-8, so lockguard cannot open it by name; rename it'), { code: 'EILSEQ' });
}

function addCursor(subdirs: Map<string, Cursor[]>, path: string, cursor: Cursor): void {
  let list = subdirs.get(path);
  if (!list) subdirs.set(path, (list = []));
  if (!list.some((c) => c.lock === cursor.lock && c.index === cursor.index)) list.push(cursor);
}

/** The leaf segments `cursor` can match in this directory: the last one, when the cursor is on it or on a "**" just before it. */
function leafIndex(cursor: Cursor): number | undefined {
  const lastIndex = cursor.segments.length - 1;
  if (cursor.index === lastIndex) return lastIndex;
  if (cursor.index === lastIndex - 1 && cursor.segments[cursor.index]!.pattern === null) return lastIndex;
  return undefined;
}

/**
 * The last bytes of the names leafRole can accept in a directory walked by `cursors` (entries.ts decodes only
 * those, and directories): a lock's ends with its segment's literal tail, a guard's with GUARD_SUFFIX, and a
 * leftover's with the hex digits of LEFTOVER_TAIL. A tail that ends in a wildcard (or in U+FFFD, which a name
 * not valid UTF-8 decodes to) can end with any byte.
 */
function endBytesOf(cursors: Cursor[]): EndBytes {
  const table = new Uint8Array(256);
  for (const cursor of cursors) {
    const index = leafIndex(cursor);
    if (index === undefined) continue;
    const tail = cursor.segments[index]!.tail;
    if (tail === '' || tail.endsWith(UNDECODABLE)) return 'all';
    for (const end of [tail, GUARD_SUFFIX, ...LEFTOVER_TAIL_DIGITS]) table[Buffer.from(end).at(-1)!] = 1;
  }
  return table;
}

/** A cheap necessary condition for leafRole: the name ends as a lock, a guard or a leftover of one would. */
function mayBeLeaf(cursor: Cursor, name: string): boolean {
  const index = leafIndex(cursor);
  if (index === undefined) return false;
  return name.endsWith(cursor.segments[index]!.tail) || name.endsWith(GUARD_SUFFIX) || name.includes(LEFTOVER_INFIX);
}

function leafRole(cursor: Cursor, name: string): Candidate['role'] | undefined {
  const index = leafIndex(cursor);
  const pattern = index === undefined ? null : cursor.segments[index]!.pattern;
  if (!pattern) return undefined;
  if (pattern.test(name)) return 'lock';
  if (name.endsWith(GUARD_SUFFIX) && pattern.test(name.slice(0, -GUARD_SUFFIX.length))) return 'guard';
  const infix = name.lastIndexOf(LEFTOVER_INFIX);
  if (infix > 0 && LEFTOVER_TAIL.test(name.slice(infix + LEFTOVER_INFIX.length)) && pattern.test(name.slice(0, infix))) return 'leftover';
  return undefined;
}

/** The cursors a subdirectory named `name` continues with. */
function descend(cursor: Cursor, name: string): Cursor[] {
  const lastIndex = cursor.segments.length - 1;
  const current = cursor.segments[cursor.index];
  if (!current) return [];
  const segment = current.pattern;
  if (segment === null) {
    // "**" matches zero or more directories: stay on it, and also try the segment after it.
    const next: Cursor[] = [cursor];
    const after = cursor.segments[cursor.index + 1]?.pattern;
    if (cursor.index + 1 < lastIndex && after && after.test(name)) next.push({ ...cursor, index: cursor.index + 2 });
    return next;
  }
  if (cursor.index >= lastIndex || !segment.test(name)) return [];
  return [{ ...cursor, index: cursor.index + 1 }];
}
