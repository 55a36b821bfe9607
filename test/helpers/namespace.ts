// Runs lockguard (dist/entrypoint.js) and helper processes in real PID namespaces:
// `unshare --pid --fork --mount-proc` (which also gives a private mount namespace with its own /proc).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/report/types.js';

export const NODE = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
/** The built CLI; LOCKGUARD_TEST_ENTRY points the kernel tests at another build (e.g. a deliberately broken one). */
export const ENTRY = process.env.LOCKGUARD_TEST_ENTRY || fileURLToPath(new URL('../../dist/entrypoint.js', import.meta.url));
/** Takes a session lock like OpenClaw: see the script's header. */
export const LOCK_WRITER = fileURLToPath(new URL('./session-lock-writer.mjs', import.meta.url));

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const UNSHARE_PID = ['unshare', '--pid', '--fork', '--mount-proc'];

export function assertBuilt(): void {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run "node scripts/build.mjs" first (npm test does)`);
}

/** Run argv to completion, collecting its output. A run that outlives timeoutMs is SIGKILLed and reported. */
export function run(argv: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Ran> {
  const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Environment for shell scripts run by shAsPid1: $NODE, $LOCKGUARD (a command prefix) and $WRITER. */
export function scriptEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { NODE, LOCKGUARD: `${NODE} ${ENTRY}`, WRITER: `${NODE} ${LOCK_WRITER}`, ...extra };
}

/** `sh -c script` as PID 1 of a fresh PID namespace (with set -eu). */
export function shAsPid1(script: string, env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<Ran> {
  return run([...UNSHARE_PID, 'sh', '-euc', script], { env: scriptEnv(env), ...(timeoutMs ? { timeoutMs } : {}) });
}

export interface SweepRun extends Ran {
  report: Report;
}

/** `lockguard sweep --json ARGS` as PID 1 of a fresh PID namespace. */
export async function sweepAsPid1(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SweepRun> {
  const ran = await run([...UNSHARE_PID, NODE, ENTRY, 'sweep', '--json', '--log-format', 'json', ...args], { env });
  return { ...ran, report: parseReport(ran.stdout, ran) };
}

/** The one JSON report a `--json` run prints on stdout. */
export function parseReport(stdout: string, context?: Partial<Ran>): Report {
  try {
    return JSON.parse(stdout) as Report;
  } catch {
    throw new Error(`no JSON report on stdout (exit ${context?.code}); stdout: ${stdout}\nstderr: ${context?.stderr ?? ''}`);
  }
}

/** True when stderr shows a JavaScript stack trace (a crash rather than a reported failure). */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+[(:]\d+/m.test(stderr) || /"stack":|\\n\s+at |unexpected error/.test(stderr) || /\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/.test(stderr);
}

/** Spawn a long-lived helper (its own process group) and wait until it prints `ready`. Stop it with stopGroup. */
const started = new Set<ChildProcess>();

/** Stop every helper started since the last call (an afterEach hook). */
export async function stopHelpers(): Promise<void> {
  const children = [...started];
  started.clear();
  await Promise.all(children.map(stopGroup));
}

export async function startHelper(argv: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ChildProcess> {
  const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`helper ${argv.join(' ')} never got ready; stderr: ${stderr}`)), options.timeoutMs ?? 10_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (/^ready$/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`helper ${argv.join(' ')} exited (${code}) before it got ready; stderr: ${stderr}`));
    });
  });
  return child;
}

/** Wait until lockguard, run with LOCKGUARD_TEST_PAUSE_AT, writes its pause marker; fails if it finishes first. */
export async function waitForPause(marker: string, run?: Promise<unknown>): Promise<{ step: string; path: string }> {
  let finished = false;
  void run?.finally(() => (finished = true));
  for (let i = 0; i < 1_000; i++) {
    const text = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
    if (text) return JSON.parse(text) as { step: string; path: string };
    if (finished) throw new Error('lockguard finished without reaching the pause point');
    await sleep(10);
  }
  throw new Error('lockguard never reached the pause point');
}

/** SIGKILL a helper's whole process group (it was started detached, so the group is its own) and wait for it. */
export async function stopGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    return;
  }
  await exited;
}
