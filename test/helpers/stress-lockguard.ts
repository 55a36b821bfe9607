// Helpers for the stress, crash-injection, hostile-input and limits tests: run the built
// lockguard (optionally in a fresh PID namespace, as another user, under limits), hold locks
// open like OpenClaw, and look at what a sweep left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/report/types.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ENTRYPOINT = join(ROOT, 'dist', 'entrypoint.js');
export const NODE = process.execPath;
const HOLDER = fileURLToPath(new URL('./stress-holder.mjs', import.meta.url));

export interface SweepRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  report: Report | undefined;
  ms: number;
}

export interface SweepOptions {
  /** Run lockguard as PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc). */
  freshNamespace?: boolean;
  /** Extra environment (LOCKGUARD_TEST_PAUSE_AT …). */
  env?: Record<string, string>;
  /** Wrap the node command: e.g. ['setpriv', '--reuid=65534', …]. */
  prefix?: string[];
  /** Full override of how node is started: a bash -c script that ends in `exec node "$@"`. */
  bashScript?: string;
  nodeFlags?: string[];
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
}

export function lockguardArgv(args: string[], options: SweepOptions = {}): [string, string[]] {
  const nodeArgv = [NODE, ...(options.nodeFlags ?? []), ENTRYPOINT, ...args];
  let argv = [...(options.prefix ?? []), ...nodeArgv];
  if (options.bashScript) argv = ['bash', '-c', options.bashScript, 'lockguard', ...argv];
  if (options.freshNamespace) argv = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', ...argv];
  return [argv[0]!, argv.slice(1)];
}

/** Runs lockguard to completion (or the timeout: then SIGKILL, reported as signal). */
export function runLockguard(args: string[], options: SweepOptions = {}): Promise<SweepRun> {
  const [command, argv] = lockguardArgv(args, options);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      let report: Report | undefined;
      try {
        report = JSON.parse(stdout) as Report;
      } catch {
        report = undefined;
      }
      resolve({ code, signal, stdout, stderr, report, ms: performance.now() - started });
    });
  });
}

export function sweep(stateDir: string, extra: string[] = [], options: SweepOptions = {}): Promise<SweepRun> {
  return runLockguard(['sweep', '--state-dir', stateDir, '--json', '--log-level', 'warn', ...extra], options);
}

export interface HeldLock {
  child: ChildProcess;
  pid: number;
  ino: number;
  stop(): Promise<void>;
}

/** A process that creates (or opens) the lock for writing and keeps the fd, like OpenClaw. */
export async function holdOpen(path: string, how: 'create' | 'open' = 'create', payload?: string, prefix: string[] = []): Promise<HeldLock> {
  const argv = [...prefix, NODE, HOLDER, path, how, ...(payload === undefined ? [] : [payload])];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const [pid, ino] = await new Promise<[number, number]>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\d+) (\d+)/.exec(out);
      if (match) resolve([Number(match[1]), Number(match[2])]);
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`holder exited early (${code}): ${err}`)));
  });
  return { child, pid, ino, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A process that just lives (its PID is alive), for live-pid locks that are not held open. */
export function liveProcess(): { child: ChildProcess; pid: number; starttime: number; stop(): Promise<void> } {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  const pid = child.pid!;
  return { child, pid, starttime: starttimeOf(pid), stop: () => stopChild(child) };
}

export function starttimeOf(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

/** A PID that no process has: above every pid_max we could meet, inside the payload schema's range. */
export const DEAD_PID = 4_000_000;

export async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The PID (in our namespace) of unshare's forked child, i.e. the process that is PID 1 inside. */
export function childOf(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? Number(text.split(' ')[0]) : undefined;
  } catch {
    return undefined;
  }
}

export function entriesOf(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export function inoOf(path: string): number | undefined {
  return lstatSync(path, { throwIfNoEntry: false })?.ino;
}

export function isLeftover(name: string): boolean {
  return name.includes('.lockguard-') || name.endsWith('.reclaim');
}
