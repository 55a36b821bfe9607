// The walk behind --lock globs: "*" and "?" within one path segment, "**" across any number of
// directories (none included); guards and leftovers of a match are found beside it; nothing is
// followed through a symlink, and directories no pattern can reach are never entered.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discover, SAFE_POINT, type Candidate, type LockPattern, type WalkProblem } from '../../src/locks/discover.js';
import { OPENCLAW_PATTERNS } from '../../src/openclaw/kinds.js';
import { asidePathOf, originalOf } from '../../src/reclaim/file.js';
import { makeTempDir, removeTempDirs } from '../helpers/state.js';

afterEach(removeTempDirs);

function tree(files: string[], dirs: string[] = []): string {
  const root = makeTempDir('lockguard-discover-');
  for (const dir of dirs) mkdirSync(join(root, dir), { recursive: true });
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '1');
  }
  return root;
}

function walk(root: string, ...globs: string[]): { found: Array<Pick<Candidate, 'role' | 'kind' | 'form' | 'entryType'> & { path: string }>; problems: WalkProblem[] } {
  const problems: WalkProblem[] = [];
  const patterns: LockPattern[] = globs.map((glob) => ({ glob, kind: 'generic', form: 'file' }));
  const found = [...discover(root, patterns, (problem) => problems.push(problem))]
    .filter((candidate): candidate is Candidate => candidate !== SAFE_POINT)
    .map(({ path, role, kind, form, entryType }) => ({ path: path.slice(root.length + 1), role, kind, form, entryType }))
    .sort((a, b) => a.path.localeCompare(b.path));
  return { found, problems };
}

const paths = (root: string, ...globs: string[]) => walk(root, ...globs).found.map((candidate) => candidate.path);

describe('--lock globs', () => {
  it('"*" matches within one segment, never across "/"', () => {
    const root = tree(['run/gateway.pid', 'run/worker.pid', 'run/sub/deeper.pid', 'run/gateway.pidfile', 'gateway.pid']);
    expect(paths(root, 'run/*.pid')).toEqual(['run/gateway.pid', 'run/worker.pid']);
    expect(walk(root, 'run/*.pid').found[0]).toEqual({ path: 'run/gateway.pid', role: 'lock', kind: 'generic', form: 'file', entryType: 'file' });
  });

  it('"?" matches exactly one character', () => {
    const root = tree(['locks/a.1', 'locks/a.12', 'locks/a.']);
    expect(paths(root, 'locks/a.?')).toEqual(['locks/a.1']);
  });

  it('"**" matches any depth, including none', () => {
    const root = tree(['top.pid', 'a/one.pid', 'a/b/two.pid', 'a/b/c/d/three.pid', 'a/b/not-a-pid.txt']);
    expect(paths(root, '**/*.pid')).toEqual(['a/b/c/d/three.pid', 'a/b/two.pid', 'a/one.pid', 'top.pid']);
  });

  it('"**" in the middle: the segments after it must still match, at any depth', () => {
    const root = tree(['data/locks/a.lock', 'data/x/locks/b.lock', 'data/x/y/locks/c.lock', 'data/x/locks/sub/d.lock', 'data/x/other/e.lock', 'elsewhere/locks/f.lock']);
    expect(paths(root, 'data/**/locks/*.lock')).toEqual(['data/locks/a.lock', 'data/x/locks/b.lock', 'data/x/y/locks/c.lock']);
  });

  it('a match reached two ways through "**" is found once', () => {
    const root = tree(['locks/locks/a.lock']);
    expect(paths(root, '**/locks/*.lock')).toEqual(['locks/locks/a.lock']);
  });

  it('finds the guard and the leftover of an interrupted reclaim beside a match', () => {
    const root = tree(['run/gateway.pid', 'run/gateway.pid.lockguard-0123456789abcdef', 'run/gateway.pid.lockguard-notahexname', 'run/other.txt.reclaim/owner.json'], ['run/gateway.pid.reclaim']);
    expect(walk(root, 'run/*.pid').found.map(({ path, role, entryType }) => `${path} ${role} ${entryType}`)).toEqual([
      'run/gateway.pid lock file',
      'run/gateway.pid.lockguard-0123456789abcdef leftover file',
      'run/gateway.pid.reclaim guard directory',
    ]);
  });

  it('the names a reclaim moves locks aside to are found as leftovers of the lock, and differ', () => {
    const root = tree(['run/gateway.pid']);
    const asides = Array.from({ length: 1000 }, () => asidePathOf(join(root, 'run', 'gateway.pid')));
    expect(new Set(asides).size).toBe(asides.length);
    for (const aside of asides.slice(0, 20)) writeFileSync(aside, '1');
    const leftovers = walk(root, 'run/*.pid').found.filter(({ role }) => role === 'leftover');
    expect(leftovers.map(({ path }) => join(root, path)).sort()).toEqual(asides.slice(0, 20).sort());
    for (const aside of asides) expect(originalOf(aside)).toBe(join(root, 'run', 'gateway.pid'));
  });

  it('never follows a symlink: a linked directory is not entered, a linked match is reported as a symlink', () => {
    const root = tree(['outside/deep/x.pid', 'inside/real.pid']);
    symlinkSync(join(root, 'outside'), join(root, 'inside', 'linked'));
    symlinkSync(join(root, 'outside', 'deep', 'x.pid'), join(root, 'inside', 'link.pid'));
    expect(walk(root, 'inside/**/*.pid').found.map(({ path, entryType }) => `${path} ${entryType}`)).toEqual(['inside/link.pid symlink', 'inside/real.pid file']);
  });

  it('several globs at once, each a pattern of its own', () => {
    const root = tree(['a/one.pid', 'b/two.pid', 'top.pid', 'a/deeper/three.pid']);
    expect(paths(root, '*/*.pid', '*.pid')).toEqual(['a/one.pid', 'b/two.pid', 'top.pid']);
  });

  it('a path two globs match is found once, as the first glob says', () => {
    const root = tree(['run/a.pid', 'run/sub/b.pid'], ['run/a.pid.reclaim']);
    expect(walk(root, 'run/*.pid', '**/*.pid').found.map(({ path, role }) => `${path} ${role}`)).toEqual(['run/a.pid lock', 'run/a.pid.reclaim guard', 'run/sub/b.pid lock']);
  });

  it('a directory it cannot open is a problem, not a candidate', () => {
    const { found, problems } = walk(join(tree([]), 'missing'), '**/*.pid');
    expect(found).toEqual([]);
    expect(problems.map((problem) => problem.error.code)).toEqual(['ENOENT']);
  });
});

describe('OpenClaw 2026.9\'s fs-safe sidecar locks (OPENCLAW_PATTERNS)', () => {
  it('are found where OpenClaw takes them under the state dir, with their guards; their targets and everything else are not', () => {
    const sidecars = [
      'openclaw.json.lock',
      'agents/main/agent/openclaw-agent.sqlite.lock',
      'agents/ops/agent/settings.json.lock',
      'agents/main/agent/auth-profiles.json.lock',
      'state/openclaw.sqlite.lock',
      'state/openclaw.sqlite.sandbox-5f1e0c2b9a.lock',
      'locks/oauth-refresh/lock-0123456789abcdef0123456789abcdef.lock',
      'locks/provider-auth-persistence/lock-ab12.lock',
      'locks/memory-promotion-ab12.lock',
      '.memory-host-events-export-0123abcd.lock',
      'migration/onboarding.lock-target.lock',
      'credentials/oauth.json.lock',
      'sandbox/containers.json.lock',
      'acp/event-ledger.json.lock',
      'mcp-oauth/github-0123456789abcdef.json.lock',
      'debug-proxy/certs/root-ca-key.pem.lock',
    ];
    const others = [
      'openclaw.json',
      'agents/main/agent/openclaw-agent.sqlite',
      'agents/main/agent/openclaw-agent.sqlite.generation-lock.sqlite',
      'tmp/openclaw-0/gateway.state.lock.sqlite',
      'state/openclaw.sqlite',
      'workspace/.git/config.lock',
      'workspace/notes.lock',
      'locks/oauth-refresh/readme.txt',
      'agents/main/sessions/s1.jsonl',
    ];
    const root = tree([...sidecars, ...others], ['openclaw.json.lock.reclaim']);
    const found = [...discover(root, [...OPENCLAW_PATTERNS], () => {})]
      .filter((candidate): candidate is Candidate => candidate !== SAFE_POINT)
      .map(({ path, role, kind }) => `${path.slice(root.length + 1)} ${role} ${kind}`)
      .sort();
    expect(found).toEqual([...sidecars.map((path) => `${path} lock openclaw-sidecar`), 'openclaw.json.lock.reclaim guard openclaw-sidecar'].sort());
  });
});

describe('OpenClaw\'s patterns beside a --lock glob that matches the same files', () => {
  it('finds each path once, as OpenClaw\'s kind, whichever way the walk reaches it', () => {
    const root = tree(['agents/main/sessions/s1.jsonl.lock', 'tmp/openclaw-0/gateway.5d41402a.lock', 'openclaw.json.lock', 'jobs/top.lock'], ['openclaw.json.lock.reclaim']);
    const patterns: LockPattern[] = [...OPENCLAW_PATTERNS, { glob: '**/*.lock', kind: 'generic', form: 'file' }, { glob: '**/*.reclaim', kind: 'generic', form: 'file' }];
    const found = [...discover(root, patterns, () => {})]
      .filter((candidate): candidate is Candidate => candidate !== SAFE_POINT)
      .map(({ path, role, kind }) => `${path.slice(root.length + 1)} ${role} ${kind}`)
      .sort();
    expect(found).toEqual([
      'agents/main/sessions/s1.jsonl.lock lock openclaw-session',
      'jobs/top.lock lock generic',
      'openclaw.json.lock lock openclaw-sidecar',
      'openclaw.json.lock.reclaim guard openclaw-sidecar',
      'tmp/openclaw-0/gateway.5d41402a.lock lock openclaw-gateway',
    ]);
  });
});
