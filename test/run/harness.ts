// Run mode the way a container runs it: lockguard as PID 1 of a fresh PID namespace (or, with
// pid1: false, as an ordinary process), JSON logs, and a fresh empty state dir unless args name one.
// The processes themselves are started by the one runner, test/helpers/run.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { logsOf, NODE, startLockguard, type LockguardOptions, type Ran, type Running } from '../helpers/run.js';
import { waitFor } from '../helpers/wait.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface Outcome extends Ran {
  /** stderr's JSON log lines. */
  logs: ReturnType<typeof logsOf>;
}

export interface Supervising extends Omit<Running, 'done'> {
  done: Promise<Outcome>;
  /** lockguard's pid as seen from the test, once its signal trap is installed. */
  trapped(): Promise<number>;
}

/** A fresh directory, removed when the current test finishes. */
export function tempDir(prefix = 'lockguard-run-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}

/** pid1, env, nodeArgs; and `prefix`, not as PID 1: a command that runs first and execs lockguard's argv, appended to it (e.g. setsid sh -c '…; exec "$@"' sh). */
export type SupervisingOptions = Pick<LockguardOptions, 'pid1' | 'env' | 'nodeArgs' | 'prefix'>;

/** Start lockguard in run mode with `args` (its options, "--" and the command). */
export function startSupervising(args: string[], options: SupervisingOptions = {}): Supervising {
  const stateArgs = args.includes('--state-dir') ? [] : ['--state-dir', tempDir('lockguard-state-')];
  const running = startLockguard(['--log-format', 'json', ...stateArgs, ...args], options);
  return {
    ...running,
    done: running.done.then((ran) => ({ ...ran, logs: logsOf(ran.stderr) })),
    trapped: () => waitFor(() => {
      const pid = running.innerPid();
      return pid !== undefined && catchesHup(pid) ? pid : undefined;
    }, 'lockguard to install its signal trap'),
  };
}

export function runSupervising(args: string[], options: SupervisingOptions = {}): Promise<Outcome> {
  return startSupervising(args, options).done;
}

/**
 * Run `-- node catcher.mjs AWAITED...` under lockguard, send lockguard each signal in
 * turn, waiting each time for the catcher to print one more line, then wait for the end.
 */
export async function signalInTurn(args: string[], sequence: readonly NodeJS.Signals[], awaited: readonly NodeJS.Signals[]): Promise<Outcome> {
  const run = startSupervising([...args, '--', NODE, join(FIXTURES, 'catcher.mjs'), ...new Set(awaited)]);
  await run.stdoutMatches(/^ready\n/);
  const lockguard = await run.trapped();
  for (const [index, signal] of sequence.entries()) {
    process.kill(lockguard, signal);
    // One at a time: a standard signal sent again before delivery coalesces with the first.
    await run.stdoutMatches(new RegExp(`^ready\\n(?:SIG\\w+\\n){${index + 1}}`));
  }
  return run.done;
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

/** A copy of /usr/bin/true whose dynamic loader does not exist, like a glibc binary in a musl image. */
export function binaryWithMissingLoader(dir: string): string {
  const binary = readFileSync('/usr/bin/true', 'latin1');
  const loader = /\/lib[^\0]*\/ld-[^\0]+\.so\.\d/.exec(binary)![0];
  const path = join(dir, 'true-elsewhere');
  writeFileSync(path, binary.replace(loader, loader.slice(0, -1) + 'X'), { encoding: 'latin1', mode: 0o755 });
  return path;
}
