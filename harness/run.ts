// The one way the tests, the bench and the stress run start processes: execa, behind start() and
// runSync(). lockguard itself never uses execa; this file is no part of src/ or the bundle.
//
// Node runs this file as it is (type stripping), so that bench/ and stress/ (.mjs) import it
// beside the tests: erasable TypeScript only, and no relative imports.
import { readdirSync, readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The project's Node 24 (the node@24 devDependency), whatever node runs the caller. */
export const NODE = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));

export interface Ran {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  /** Added to this process's environment; with `envOnly`, the whole environment. */
  env?: NodeJS.ProcessEnv;
  envOnly?: boolean;
  cwd?: string;
  /** SIGKILLed past this many ms (then `signal` says so); 0: never. Default 60 s. */
  timeoutMs?: number;
}

export interface StartOptions extends RunOptions {
  /** In its own process group, so that process.kill(-pid) reaches everything it started. */
  detached?: boolean;
  /** Closed by default; 'pipe' gives `stdin` to write to. */
  stdin?: 'ignore' | 'pipe';
  /** Where its output goes; collected by default. */
  stdout?: 'pipe' | 'ignore' | 'inherit';
  stderr?: 'pipe' | 'ignore' | 'inherit';
}

export interface Running {
  pid: number;
  /** Resolves when the process has exited and its output is read; rejects when it could not be started. */
  done: Promise<Ran>;
  /** stdout and stderr so far, together as they came. */
  output(): string;
  /** Its stdout, line by line, as they come (iterate it once). */
  lines(): AsyncIterableIterator<string>;
  /** Resolves once stdout so far matches (default timeout 20 s). */
  stdoutMatches(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** With `stdin: 'pipe'`. */
  stdin: NodeJS.WritableStream | undefined;
  kill(signal?: NodeJS.Signals): void;
}

const DEFAULT_TIMEOUT_MS = 60_000;

function commonOptions(options: RunOptions) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    env: options.env,
    extendEnv: !options.envOnly,
    cwd: options.cwd,
    reject: false,
    stripFinalNewline: false,
    killSignal: 'SIGKILL',
    ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}),
  } as const;
}

/** Start argv, collecting its output. */
export function start(argv: string[], options: StartOptions = {}): Running {
  const [file, ...args] = argv;
  const subprocess = execa(file!, args, {
    ...commonOptions(options),
    // A signal sent with kill() is that signal alone, never followed by execa's SIGKILL.
    forceKillAfterDelay: false,
    stdin: options.stdin ?? 'ignore',
    stdout: options.stdout ?? 'pipe',
    stderr: options.stderr ?? 'pipe',
    detached: options.detached ?? false,
  });
  const output = { stdout: '', stderr: '', both: '' };
  for (const name of ['stdout', 'stderr'] as const) {
    const decoder = new StringDecoder('utf8');
    subprocess[name]?.on('data', (chunk: Buffer) => {
      const text = decoder.write(chunk);
      output[name] += text;
      output.both += text;
    });
  }
  const done = subprocess.then((result) => ranOf(argv, result));
  return {
    pid: subprocess.pid!,
    done,
    output: () => output.both,
    lines: () => subprocess.iterable()[Symbol.asyncIterator]() as AsyncIterableIterator<string>,
    stdoutMatches: (pattern, timeoutMs = 20_000) => waitFor(() => pattern.exec(output.stdout) ?? undefined, `stdout of ${argv.join(' ')} to match ${pattern}; stdout: ${output.stdout}; stderr: ${output.stderr}`, timeoutMs),
    stdin: subprocess.stdin ?? undefined,
    kill: (signal = 'SIGKILL') => void subprocess.kill(signal),
  };
}

/** Run argv to completion, blocking; throws when it could not be started. */
export function runSync(argv: string[], options: RunOptions & { input?: string; maxBuffer?: number } = {}): Ran {
  const [file, ...args] = argv;
  const result = execaSync(file!, args, { ...commonOptions(options), ...(options.input === undefined ? { stdin: 'ignore' } : { input: options.input }), ...(options.maxBuffer ? { maxBuffer: options.maxBuffer } : {}) });
  return ranOf(argv, result);
}

interface Result {
  exitCode?: number | undefined;
  signal?: NodeJS.Signals | undefined;
  stdout?: string | undefined;
  stderr?: string | undefined;
  durationMs: number;
  shortMessage?: string | undefined;
}

/** What an execa result says, as a Ran; throws when the process could not be started at all. */
function ranOf(argv: string[], result: Result): Ran {
  if (result.exitCode === undefined && result.signal === undefined) throw new Error(`${argv.join(' ')}: ${result.shortMessage}`);
  return { code: result.exitCode ?? null, signal: result.signal ?? null, stdout: result.stdout ?? '', stderr: result.stderr ?? '', ms: result.durationMs };
}

/** Poll `probe` every 10 ms until it gives a value; throws, naming `what`, after timeoutMs. */
export async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A process's start time: /proc/<pid>/stat field 22, in clock ticks since boot. */
export function starttimeOf(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

/** The children of pid, from /proc; empty when it is gone. */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}
