// lockguard's compile cache (bootstrap.ts), on copies of the real dist/: written beside the
// bundle as soon as it is loaded (so a SIGKILLed PID 1 has written it too), used
// by the next start, never a reason not to start, never handed to the command, and never taken
// from a temp-dir directory that someone else could have planted.
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE, ROOT, run, runLockguard, start, type Ran } from '../helpers/run.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir } from '../run/harness.js';

const DIST = join(ROOT, 'dist');
const ACCEPTED = /code cache for CommonJS \S+\/dist\/lockguard\.js was accepted/;

interface Install {
  root: string;
  entry: string;
  /** The cache beside the bundle. */
  cache: string;
  state: string;
}

/** A copy of dist/ with no cache, where koffi still resolves (node_modules beside it). */
function freshInstall(): Install {
  const root = tempDir('lockguard-install-');
  cpSync(DIST, join(root, 'dist'), { recursive: true, filter: (source) => !source.startsWith(join(DIST, 'compile-cache')) });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  const state = join(root, 'state');
  mkdirSync(state);
  return { root, entry: join(root, 'dist', 'entrypoint.js'), cache: join(root, 'dist', 'compile-cache'), state };
}

/** Every file under dir (recursively), or none. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function lockguard(install: Install, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return run([NODE, install.entry, ...args], { env, pid1: false });
}

/** lockguard with the install mounted read-only, as in an image run with --read-only. */
function lockguardReadOnly(install: Install, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const script = 'mount --bind "$INSTALL" "$INSTALL" && mount -o remount,bind,ro "$INSTALL" && exec "$NODE" "$INSTALL/dist/entrypoint.js" "$@"';
  return run(['unshare', '--mount', 'sh', '-euc', script, 'sh', ...args], { env: { INSTALL: install.root, NODE, ...env }, pid1: false });
}

async function startsFromCache(install: Install): Promise<void> {
  const next = await lockguard(install, ['--version'], { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
  expect(next.code).toBe(0);
  expect(next.stderr).toMatch(ACCEPTED);
}

describe('the compile cache beside the bundle', () => {
  it('is written by the first start and used by the next', async () => {
    const install = freshInstall();
    expect((await lockguard(install, ['--version'])).code).toBe(0);
    expect(filesUnder(install.cache)).not.toEqual([]);
    await startsFromCache(install);
  });

  it('is written already when lockguard, PID 1 and supervising, is killed by SIGKILL', async () => {
    const install = freshInstall();
    const supervising = start([NODE, install.entry, '--state-dir', install.state, '--', 'sh', '-c', 'echo started; exec sleep 30']);
    await supervising.stdoutMatches(/^started$/m);
    // PID 1 of its namespace: the kernel takes the command down with it.
    process.kill(await waitFor(() => supervising.innerPid(), 'lockguard as PID 1'), 'SIGKILL');
    expect((await supervising.done).code).not.toBe(0);
    expect(filesUnder(install.cache)).not.toEqual([]);
    await startsFromCache(install);
  });

  it('is written when --exec replaces lockguard with the command', async () => {
    const install = freshInstall();
    expect((await lockguard(install, ['--state-dir', install.state, '--exec', '--', '/bin/true'])).code).toBe(0);
    await startsFromCache(install);
  });

  it('serves a read-only install once warm, and nothing is written elsewhere', async () => {
    const install = freshInstall();
    expect((await lockguard(install, ['--version'])).code).toBe(0);
    const xdg = join(tempDir(), 'xdg');
    const ran = await lockguardReadOnly(install, ['--version'], { NODE_DEBUG_NATIVE: 'COMPILE_CACHE', XDG_CACHE_HOME: xdg });
    expect(ran.code).toBe(0);
    expect(ran.stderr).toMatch(ACCEPTED);
    expect(filesUnder(xdg)).toEqual([]);
  });
});

describe('elsewhere, or nowhere', () => {
  it('a read-only install without a cache caches in $XDG_CACHE_HOME/lockguard', async () => {
    const install = freshInstall();
    const xdg = join(tempDir(), 'xdg');
    const ran = await lockguardReadOnly(install, ['--state-dir', install.state, '--', 'sh', '-c', 'exit 3'], { XDG_CACHE_HOME: xdg });
    expect(ran.code, ran.stderr).toBe(3);
    expect(filesUnder(join(xdg, 'lockguard'))).not.toEqual([]);
    expect(filesUnder(install.cache)).toEqual([]);
  });

  it('with nowhere to write, lockguard starts and runs the command as usual', async () => {
    const install = freshInstall();
    mkdirSync(join(install.root, 'tmp'));
    // Both on the read-only mount: the user's cache dir and the temp dir.
    const env = { XDG_CACHE_HOME: join(install.root, 'xdg'), TMPDIR: join(install.root, 'tmp') };
    const ran = await lockguardReadOnly(install, ['--log-format', 'json', '--state-dir', install.state, '--', 'sh', '-c', 'exit 3'], env);
    expect(ran.code, ran.stderr).toBe(3);
    expect(ran.stderr.split('\n').filter((line) => line && !line.startsWith('{'))).toEqual([]);
  });

  it.each([
    ['belongs to another user', (dir: string) => chownSync(dir, 65534, 65534)],
    ['others can write to', (dir: string) => chmodSync(dir, 0o777)],
  ])('a directory in the temp dir that %s is never used', async (_, spoil) => {
    const install = freshInstall();
    const tmp = join(tempDir(), 'tmp');
    const planted = join(tmp, `lockguard-compile-cache-${process.getuid!()}`);
    mkdirSync(planted, { recursive: true, mode: 0o700 });
    spoil(planted);
    // The user's cache dir is on the read-only mount, so the temp dir would be next.
    const ran = await lockguardReadOnly(install, ['--state-dir', install.state, '--', 'sh', '-c', 'exit 3'], { XDG_CACHE_HOME: join(install.root, 'xdg'), TMPDIR: tmp });
    expect(ran.code, ran.stderr).toBe(3);
    expect(readdirSync(planted)).toEqual([]);
  });
});

describe('the command', () => {
  it('does not inherit a compile cache from lockguard', async () => {
    const ran = await runLockguard(['--state-dir', freshInstall().state, '--', 'env']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^PATH=/m);
    expect(ran.stdout).not.toMatch(/^NODE_COMPILE_CACHE=/m);
  });

  it("keeps the user's own NODE_COMPILE_CACHE as it was", async () => {
    const own = join(tempDir(), 'own-cache');
    const ran = await runLockguard(['--state-dir', freshInstall().state, '--', 'env'], { env: { NODE_COMPILE_CACHE: own } });
    expect(ran.code).toBe(0);
    expect(ran.stdout.match(/^NODE_COMPILE_CACHE=.*$/gm)).toEqual([`NODE_COMPILE_CACHE=${own}`]);
  });
});
