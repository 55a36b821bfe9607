// How the tests start processes: the built lockguard (as PID 1 of a fresh PID namespace, the way a
// container runs it, or as an ordinary child), shell scripts, and long-lived helpers that print
// "ready". Every process is started by the shared runner, harness/run.ts (execa); this file adds
// what a test needs around it: PID 1 in a fresh namespace, and a kill when the test ends.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { childrenOf, NODE, start as startChild, starttimeOf, type Ran, type StartOptions } from '../../harness/run.js';
import type { Report } from '../../src/report/types.js';
import { parseReport } from './sweep-report.js';

export { childrenOf, NODE, ROOT, starttimeOf, type Ran } from '../../harness/run.js';
/** The built CLI; LOCKGUARD_TEST_ENTRY points the kernel tests at another build (e.g. a deliberately broken one). */
export const ENTRY = process.env.LOCKGUARD_TEST_ENTRY || fileURLToPath(new URL('../../dist/entrypoint.js', import.meta.url));
/** Takes a session lock like OpenClaw: see the script's header. */
export const LOCK_WRITER = fileURLToPath(new URL('./session-lock-writer.mjs', import.meta.url));
/** Creates or opens a file for writing and holds the fd: see the script. */
const HOLDER = fileURLToPath(new URL('./stress-holder.mjs', import.meta.url));

/** `unshare`: PID 1 of a fresh PID namespace with its own /proc; --kill-child takes the namespace down with unshare. */
const FRESH_PID_NAMESPACE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

export interface RunOptions extends Pick<StartOptions, 'env' | 'envOnly' | 'timeoutMs'> {
  /** Run as PID 1 of a fresh PID namespace, as a container's first process (default), or as an ordinary child of the test. */
  pid1?: boolean;
}

export interface Running {
  /** The pid the test spawned: under `pid1`, unshare's. */
  pid: number;
  done: Promise<Ran>;
  /** The process the command became as the test sees it: under `pid1`, unshare's child (PID 1 inside); undefined until it exists. */
  innerPid(): number | undefined;
  /** Resolves once stdout so far matches. */
  stdoutMatches(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** Start argv, collecting its output; SIGKILLed at the timeout (default 60 s; 0: none) or, unless told, when the current test ends. */
export function start(argv: string[], options: RunOptions & { detached?: boolean; untilTestEnds?: boolean } = {}): Running {
  const pid1 = options.pid1 ?? true;
  const child = startChild(pid1 ? [...FRESH_PID_NAMESPACE, ...argv] : argv, options);
  if (options.untilTestEnds ?? true) onTestFinished(() => child.kill());
  return {
    pid: child.pid,
    done: child.done,
    innerPid: () => (pid1 ? childrenOf(child.pid)[0] : child.pid),
    stdoutMatches: child.stdoutMatches,
  };
}

/** Run argv to completion (in a test or a hook; the timeout bounds it). */
export function run(argv: string[], options: RunOptions = {}): Promise<Ran> {
  return start(argv, { untilTestEnds: false, ...options }).done;
}

/** Run a plain command (not as PID 1) that must succeed; throws with its stderr otherwise. */
export async function must(argv: string[]): Promise<string> {
  const ran = await run(argv, { pid1: false });
  if (ran.code !== 0) throw new Error(`${argv.join(' ')} failed (${ran.code ?? ran.signal}): ${ran.stderr}`);
  return ran.stdout;
}

export interface LockguardOptions extends RunOptions {
  /** Options for node itself, before the entrypoint (--max-old-space-size=64 …). */
  nodeArgs?: string[];
  /** Commands that wrap node, e.g. ['setpriv', '--reuid=65534', …]. */
  prefix?: string[];
  /** A bash script that sets limits and ends in `exec "$@"`, given lockguard's command line. */
  bashScript?: string;
}

/** Start the built lockguard with `args`, as given. */
export function startLockguard(args: string[], options: LockguardOptions = {}): Running {
  let argv = [...(options.prefix ?? []), NODE, ...(options.nodeArgs ?? []), ENTRY, ...args];
  if (options.bashScript) argv = ['bash', '-c', options.bashScript, 'lockguard', ...argv];
  return start(argv, options);
}

export function runLockguard(args: string[], options: LockguardOptions = {}): Promise<Ran> {
  return startLockguard(args, options).done;
}

export interface SweepRun extends Ran {
  report: Report;
}

/** `lockguard sweep --json --log-format json ARGS` and its report; throws, quoting its output, if it printed none. */
export async function runSweep(args: string[], options: LockguardOptions = {}): Promise<SweepRun> {
  const ran = await runLockguard(['sweep', '--json', '--log-format', 'json', ...args], options);
  return { ...ran, report: parseReport(ran.stdout, ran) };
}

/** Environment for shell scripts run by shAsPid1: $NODE, $LOCKGUARD (a command prefix) and $WRITER. */
export function scriptEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { NODE, LOCKGUARD: `${NODE} ${ENTRY}`, WRITER: `${NODE} ${LOCK_WRITER}`, ...extra };
}

/** `sh -c script` as PID 1 of a fresh PID namespace (with set -eu). */
export function shAsPid1(script: string, env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<Ran> {
  return run(['sh', '-euc', script], { env: scriptEnv(env), ...(timeoutMs ? { timeoutMs } : {}) });
}

export function assertBuilt(): void {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run "node scripts/build.mjs" first (npm test does)`);
}

/** stderr's JSON log lines. */
export function logsOf(stderr: string): Array<Record<string, unknown> & { msg: string }> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string });
}

/** True when stderr shows a JavaScript stack trace (a crash rather than a reported failure). */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+[(:]\d+/m.test(stderr) || /"stack":|\\n\s+at |unexpected error/.test(stderr) || /\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/.test(stderr);
}

// --- helpers: long-lived processes that print a ready line -------------------------------------

export interface Helper {
  pid: number;
  /** The ready line, matched. */
  ready: RegExpMatchArray;
  stop(): Promise<void>;
}

const helpers = new Set<Helper>();

/**
 * Start a long-lived helper in its own process group (an ordinary child unless `pid1`) and wait
 * until stdout matches `ready` (default: a line "ready"). stop() SIGKILLs the group; stopHelpers() stops all.
 */
export async function startHelper(argv: string[], options: { ready?: RegExp; pid1?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Helper> {
  const running = start(argv, { pid1: options.pid1 ?? false, detached: true, untilTestEnds: false, timeoutMs: 0, ...(options.env ? { env: options.env } : {}) });
  let exited = false;
  void running.done.then(() => (exited = true));
  const stop = async () => {
    helpers.delete(helper);
    if (exited) return;
    try {
      process.kill(-running.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await running.done;
  };
  const helper: Helper = { pid: running.pid, ready: [] as unknown as RegExpMatchArray, stop };
  helpers.add(helper);
  const ready = options.ready ?? /^ready$/m;
  try {
    helper.ready = await Promise.race([
      running.stdoutMatches(ready, options.timeoutMs ?? 10_000),
      running.done.then((ran) => Promise.reject(new Error(`helper ${argv.join(' ')} exited (${ran.code ?? ran.signal}) before it got ready; stderr: ${ran.stderr}`))),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return helper;
}

/** Stop every helper still running (an afterEach hook). */
export async function stopHelpers(): Promise<void> {
  await Promise.all([...helpers].map((helper) => helper.stop()));
}

export interface HeldLock extends Helper {
  /** The holder's inode of the lock. */
  ino: number;
}

/** A process that creates (or opens) the lock for writing and keeps the fd, like OpenClaw. */
export async function holdOpen(path: string, how: 'create' | 'open' = 'create', payload?: string, prefix: string[] = []): Promise<HeldLock> {
  const helper = await startHelper([...prefix, NODE, HOLDER, path, how, ...(payload === undefined ? [] : [payload])], { ready: /ready (\d+) (\d+)/ });
  return { ...helper, pid: Number(helper.ready[1]), ino: Number(helper.ready[2]) };
}

/** A process that just lives (its PID is alive), for live-pid locks that are not held open. */
export async function liveProcess(): Promise<Helper & { starttime: number }> {
  const helper = await startHelper(['sh', '-c', 'echo ready; exec sleep 600']);
  return { ...helper, starttime: starttimeOf(helper.pid) };
}
