// Finds lock candidates under a state dir by walking only the directories a pattern can
// reach. Symlinks are never followed: a symlinked directory is not entered, a symlinked
// lock is reported as what it is. Directories are streamed, so a huge one costs no memory.
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PayloadKind } from './payload.js';

export interface LockPattern {
  /** Path segments relative to the state dir; "*" and "?" match within a segment, "**" any depth. */
  glob: string;
  kind: PayloadKind;
}

export interface Candidate {
  path: string;
  /** 'lock': a lock itself; 'guard': <lock>.reclaim; 'leftover': <lock>.lockguard-<random> from an interrupted reclaim. */
  role: 'lock' | 'guard' | 'leftover';
  kind: PayloadKind;
  /** What the directory entry was (lstat type): symlinks and other types are reported, never followed. */
  entryType: 'file' | 'directory' | 'symlink' | 'other';
}

export interface WalkProblem {
  path: string;
  error: NodeJS.ErrnoException;
}

export const OPENCLAW_PATTERNS: LockPattern[] = [
  { glob: 'agents/*/sessions/*.jsonl.lock', kind: 'openclaw-session' },
  { glob: 'agents/*/sessions/sessions.json.lock', kind: 'openclaw-store' },
  // OpenClaw 2026.7+: gateway/state locks (since 2026-08 under tmp/openclaw-<uid>/, before at the root), each with a <lock>.sqlite coordinator.
  ...['', 'tmp/openclaw/', 'tmp/openclaw-*/'].flatMap((dir) => [
    { glob: `${dir}gateway.state.lock`, kind: 'openclaw-gateway' as const },
    { glob: `${dir}gateway.????????.lock`, kind: 'openclaw-gateway' as const },
  ]),
  { glob: 'exec-approvals.json.lock', kind: 'openclaw-exec-approvals' },
  // Directory locks, holding owner.json.
  { glob: 'plugin-runtime-deps/*/.openclaw-runtime-deps.lock', kind: 'openclaw-runtime-deps' },
  { glob: 'plugin-runtime-deps/*/.openclaw-runtime-mirror.lock', kind: 'openclaw-runtime-deps' },
];

export const GUARD_SUFFIX = '.reclaim';
export const LEFTOVER_INFIX = '.lockguard-';
const LEFTOVER_TAIL = /^[0-9a-f]{8,32}$/;

interface Cursor {
  segments: (RegExp | null)[];
  raw: string[];
  index: number;
  kind: PayloadKind;
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

function cursorsOf(patterns: LockPattern[]): Cursor[] {
  return patterns.map(({ glob, kind }) => {
    const raw = glob.split('/').filter((part) => part !== '' && part !== '.');
    return { raw, segments: raw.map((part) => (part === '**' ? null : segmentPattern(part))), index: 0, kind };
  });
}

export async function* discover(stateDir: string, patterns: LockPattern[], onProblem: (problem: WalkProblem) => void): AsyncGenerator<Candidate> {
  yield* walk(stateDir, cursorsOf(patterns), onProblem);
}

async function* walk(dir: string, cursors: Cursor[], onProblem: (problem: WalkProblem) => void): AsyncGenerator<Candidate> {
  let handle;
  try {
    handle = await opendir(dir, { bufferSize: 64 });
  } catch (error) {
    onProblem({ path: dir, error: error as NodeJS.ErrnoException });
    return;
  }
  const subdirs = new Map<string, Cursor[]>();
  try {
    for await (const entry of handle) {
      const path = join(dir, entry.name);
      const entryType = entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : entry.isSymbolicLink() ? 'symlink' : 'other';
      for (const cursor of cursors) {
        const found = matchLeaf(cursor, entry.name, path, entryType);
        if (found) yield found;
        if (entryType === 'directory') for (const next of descend(cursor, entry.name)) addCursor(subdirs, path, next);
      }
    }
  } catch (error) {
    onProblem({ path: dir, error: error as NodeJS.ErrnoException });
  }
  for (const [subdir, next] of subdirs) yield* walk(subdir, next, onProblem);
}

function addCursor(subdirs: Map<string, Cursor[]>, path: string, cursor: Cursor): void {
  const list = subdirs.get(path) ?? [];
  if (!list.some((c) => c.kind === cursor.kind && c.index === cursor.index && c.raw === cursor.raw)) list.push(cursor);
  subdirs.set(path, list);
}

function matchLeaf(cursor: Cursor, name: string, path: string, entryType: Candidate['entryType']): Candidate | undefined {
  const lastIndex = cursor.segments.length - 1;
  const indices = cursor.segments[cursor.index] === null && cursor.index === lastIndex - 1 ? [cursor.index, lastIndex] : [cursor.index];
  for (const index of indices) {
    if (index !== lastIndex) continue;
    const pattern = cursor.segments[index];
    if (!pattern) continue;
    if (pattern.test(name)) return { path, role: 'lock', kind: cursor.kind, entryType };
    if (name.endsWith(GUARD_SUFFIX) && pattern.test(name.slice(0, -GUARD_SUFFIX.length))) return { path, role: 'guard', kind: cursor.kind, entryType };
    const infix = name.lastIndexOf(LEFTOVER_INFIX);
    if (infix > 0 && LEFTOVER_TAIL.test(name.slice(infix + LEFTOVER_INFIX.length)) && pattern.test(name.slice(0, infix))) {
      return { path, role: 'leftover', kind: cursor.kind, entryType };
    }
  }
  return undefined;
}

/** The cursors a subdirectory named `name` continues with. */
function descend(cursor: Cursor, name: string): Cursor[] {
  const lastIndex = cursor.segments.length - 1;
  const segment = cursor.segments[cursor.index];
  if (segment === null) {
    // "**" matches zero or more directories: stay on it, and also try the segment after it.
    const next: Cursor[] = [cursor];
    const after = cursor.segments[cursor.index + 1];
    if (cursor.index + 1 < lastIndex && after && after.test(name)) next.push({ ...cursor, index: cursor.index + 2 });
    return next;
  }
  if (cursor.index >= lastIndex || !segment || !segment.test(name)) return [];
  return [{ ...cursor, index: cursor.index + 1 }];
}
