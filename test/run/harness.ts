// Runs the built CLI (dist/entrypoint.js) the way a container would: as PID 1 of a fresh
// PID namespace (unshare --pid --fork --mount-proc), or as an ordinary process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

import { ENTRY, NODE, type Ran } from '../helpers/namespace.js';

export { ENTRY, NODE };
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface Outcome extends Ran {
  /** stderr's JSON log lines. */
  logs: Array<Record<string, unknown> & { msg: string }>;
}

export interface Running {
  done: Promise<Outcome>;
  /** Resolves once stdout (so far) matches. */
  stdoutMatches(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** lockguard's pid as seen from the test, once its signal trap is installed. */
  trapped(): Promise<number>;
}

export interface RunOptions {
  /** Run as PID 1 of a fresh PID namespace (the default), or as an ordinary child of the test. */
  pid1?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Options for node itself, before the entrypoint. */
  nodeArgs?: string[];
  /** Not as PID 1: a command that runs first and execs lockguard's argv, appended to it (e.g. setsid sh -c '…; exec "$@"' sh). */
  prefix?: string[];
}

/** A fresh directory, removed when the current test finishes. */
export function tempDir(prefix = 'lockguard-run-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}

/**
 * Start lockguard with `args` (its options, "--" and the command). Each run gets a fresh
 * empty state dir unless args name one, and JSON logs.
 */
export function startLockguard(args: string[], options: RunOptions = {}): Running {
  const pid1 = options.pid1 ?? true;
  const stateArgs = args.includes('--state-dir') ? [] : ['--state-dir', tempDir('lockguard-state-')];
  const argv = [...(options.prefix ?? []), NODE, ...(options.nodeArgs ?? []), ENTRY, '--log-format', 'json', ...stateArgs, ...args];
  const env = { ...process.env, ...options.env };
  // --kill-child: a test that fails or times out takes lockguard and its namespace with it.
  const child = pid1 ? spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...argv], { env }) : spawn(argv[0]!, argv.slice(1), { env });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Outcome>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, logs: parseLogs(stderr) })),
  );
  return {
    done,
    stdoutMatches: (pattern, timeoutMs = 20_000) => poll(() => pattern.exec(stdout) ?? undefined, timeoutMs, () => `stdout never matched ${pattern}; stdout: ${stdout}; stderr: ${stderr}`),
    trapped: () => poll(() => trappedPid(child, pid1), 20_000, () => `lockguard never installed its signal trap; stderr: ${stderr}`),
  };
}

export async function runLockguard(args: string[], options: RunOptions = {}): Promise<Outcome> {
  return startLockguard(args, options).done;
}

/**
 * Run `-- node catcher.mjs AWAITED...` under lockguard, send lockguard each signal in
 * turn, waiting each time for the catcher to print one more line, then wait for the end.
 */
export async function signalInTurn(args: string[], sequence: readonly NodeJS.Signals[], awaited: readonly NodeJS.Signals[]): Promise<Outcome> {
  const run = startLockguard([...args, '--', NODE, join(FIXTURES, 'catcher.mjs'), ...new Set(awaited)]);
  await run.stdoutMatches(/^ready\n/);
  const lockguard = await run.trapped();
  for (const [index, signal] of sequence.entries()) {
    process.kill(lockguard, signal);
    // One at a time: a standard signal sent again before delivery coalesces with the first.
    await run.stdoutMatches(new RegExp(`^ready\\n(?:SIG\\w+\\n){${index + 1}}`));
  }
  return run.done;
}

function parseLogs(stderr: string): Outcome['logs'] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Outcome['logs'][number]);
}

/** Under unshare, lockguard is unshare's forked child; otherwise it is the process we spawned. */
function trappedPid(child: ChildProcess, pid1: boolean): number | undefined {
  const pid = pid1 ? childrenOf(child.pid!)[0] : child.pid;
  return pid !== undefined && catchesHup(pid) ? pid : undefined;
}

export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * Node catches TERM and INT from its first instant (to restore the terminal, then die
 * by the signal, which PID 1 ignores), so a caught TERM proves nothing. HUP is caught
 * only once lockguard's trap, which takes every forwarded signal at once, is in place.
 */
function catchesHup(pid: number): boolean {
  try {
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return caught !== undefined && (BigInt(`0x${caught}`) & (1n << BigInt(constants.signals.SIGHUP - 1))) !== 0n;
  } catch {
    return false;
  }
}

export async function poll<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A copy of /usr/bin/true whose dynamic loader does not exist, like a glibc binary in a musl image. */
export function binaryWithMissingLoader(dir: string): string {
  const binary = readFileSync('/usr/bin/true', 'latin1');
  const loader = /\/lib[^\0]*\/ld-[^\0]+\.so\.\d/.exec(binary)![0];
  const path = join(dir, 'true-elsewhere');
  writeFileSync(path, binary.replace(loader, loader.slice(0, -1) + 'X'), { encoding: 'latin1', mode: 0o755 });
  return path;
}
