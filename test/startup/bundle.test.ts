// What the built bundle loads at start-up, checked on the real dist/ with Node's own list of
// loaded built-ins: pino without its worker-thread transports, koffi from its prebuilt binary
// only where a mode needs it, never node:crypto, node:assert only when called. And the build rules:
// a transport asked of the bundled pino fails loudly, and thread-stream cannot be bundled.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { NODE, ROOT, run, runLockguard } from '../helpers/run.js';
import { tempDir } from '../run/harness.js';
import { ago, PREDATES_NAMESPACE_MS } from '../helpers/boot.js';
import { writeSessionLock } from '../helpers/state.js';

const MODULES_AT_EXIT = join(import.meta.dirname, 'fixtures', 'modules-at-exit.cjs');

interface Loaded {
  builtins: string[];
  files: string[];
}

/** Runs the built CLI with `args` as PID 1, stderr a pipe as in a container, and returns what it loaded. */
async function loadedBy(args: string[]): Promise<Loaded> {
  const out = join(tempDir('lockguard-modules-'), 'loaded.json');
  const ran = await runLockguard(args, { nodeArgs: ['--require', MODULES_AT_EXIT], env: { LOCKGUARD_TEST_MODULES_FILE: out } });
  expect(ran.code, ran.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as Loaded;
}

function emptyStateDir(): string {
  const dir = join(tempDir('lockguard-state-'), 'state');
  mkdirSync(dir);
  return dir;
}

const isKoffiBinary = (file: string) => file.endsWith('/koffi.node');
// koffi's own entry and its platform package's loader: both load Node's lazy built-ins.
const isKoffiScript = (file: string) => /\/node_modules\/(koffi\/index|@koromix\/koffi-[^/]+\/index)\.c?js$/.test(file);

describe('start-up loads only what the mode needs', () => {
  it.each([
    ['--help', () => ['--help']],
    ['sweep of an empty state dir', () => ['sweep', '--state-dir', emptyStateDir()]],
    ['run mode', () => ['--state-dir', emptyStateDir(), '--', '/bin/true']],
  ])('%s: no worker threads, no node:crypto, no node:assert', async (_, args) => {
    const { builtins } = await loadedBy(args());
    expect(builtins).not.toContain('NativeModule worker_threads');
    expect(builtins).not.toContain('NativeModule internal/worker');
    expect(builtins).not.toContain('NativeModule crypto');
    expect(builtins).not.toContain('NativeModule assert');
  });

  it('a sweep that reclaims a lock: no node:crypto either (the aside name comes from Math.random)', async () => {
    const dir = emptyStateDir();
    const lock = join(dir, 'agents', 'main', 'sessions', 'gone.jsonl.lock');
    mkdirSync(dirname(lock), { recursive: true });
    writeSessionLock(lock, { pid: 4242 }, ago(PREDATES_NAMESPACE_MS));
    const { builtins } = await loadedBy(['sweep', '--state-dir', dir, '--volume', 'exclusive']);
    expect(existsSync(lock)).toBe(false);
    expect(builtins).not.toContain('NativeModule crypto');
  });

  it.each([
    ['sweep of an empty state dir', () => ['sweep', '--state-dir', emptyStateDir()], ['NativeModule stream', 'NativeModule net']],
    ['run mode', () => ['--state-dir', emptyStateDir(), '--', '/bin/true'], []],
  ])('%s: no perf_hooks (monotonicMs), and a sweep that prints no report makes no stdio stream', async (_, args, streams) => {
    const { builtins } = await loadedBy(args());
    expect(builtins).not.toContain('NativeModule perf_hooks');
    expect(builtins).not.toContain('NativeModule internal/perf/performance');
    for (const module of streams) expect(builtins).not.toContain(module);
  });

  it.each([['--help'], ['--version']])('%s does not load koffi', async (args) => {
    expect((await loadedBy([args])).files.filter((f) => isKoffiBinary(f) || isKoffiScript(f))).toEqual([]);
  });

  it.each([
    ['sweep', () => ['sweep', '--state-dir', emptyStateDir()]],
    ['run mode', () => ['--state-dir', emptyStateDir(), '--', '/bin/true']],
  ])('%s loads koffi from its prebuilt binary, not through its JS entry', async (_, args) => {
    const { files } = await loadedBy(args());
    expect(files.filter(isKoffiBinary)).toHaveLength(1);
    expect(files.filter(isKoffiScript)).toEqual([]);
  });
});

describe('the build rules', () => {
  async function buildRules(): Promise<{ bundleOptions: Record<string, unknown> }> {
    return (await import(pathToFileURL(join(ROOT, 'scripts', 'build.mjs')).href)) as { bundleOptions: Record<string, unknown> };
  }

  it.each([
    ['pino({ transport })', "require('pino')({ transport: { target: 'pino/file' } }).info('never')"],
    ['pino.transport()', "require('pino').transport({ target: 'pino/file' })"],
  ])('%s in a bundle throws, naming the reason', async (_, code) => {
    const { bundleOptions } = await buildRules();
    const outfile = join(tempDir('lockguard-bundle-'), 'transport.js');
    await build({ ...bundleOptions, stdin: { contents: code, resolveDir: ROOT, loader: 'js' }, outfile });
    const ran = await run([NODE, outfile], { pid1: false });
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toMatch(/lockguard bundles pino without transports/);
  });

  it('a bundle that would bring in thread-stream does not build', async () => {
    const { bundleOptions } = await buildRules();
    await expect(build({ ...bundleOptions, stdin: { contents: "require('thread-stream')", resolveDir: ROOT, loader: 'js' }, write: false, logLevel: 'silent' })).rejects.toThrow(
      /thread-stream .*would load worker threads at start-up/,
    );
  });

  it('the bundled pino still logs, synchronously, to the destination', async () => {
    const { bundleOptions } = await buildRules();
    const outfile = join(tempDir('lockguard-bundle-'), 'log.js');
    await build({ ...bundleOptions, stdin: { contents: "require('pino')({ base: null }, require('pino').destination({ fd: 1, sync: true })).info('hello')", resolveDir: ROOT, loader: 'js' }, outfile });
    const ran = await run([NODE, outfile], { pid1: false });
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ level: 30, msg: 'hello' });
  });
});
