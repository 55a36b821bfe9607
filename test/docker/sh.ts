// Runs a program to completion with the shared runner (harness/run.ts) and returns what it printed;
// `must` turns a failure into one line that names the command, its exit code and the tail of its stderr.
import { runSync, type Ran, type RunOptions } from '../../harness/run.js';

const TEN_MINUTES_MS = 600_000;

export function run(program: string, args: string[], options: RunOptions & { input?: string } = {}): Ran {
  return runSync([program, ...args], { timeoutMs: TEN_MINUTES_MS, maxBuffer: 64 * 1024 * 1024, ...options });
}

export function must(program: string, args: string[], options: RunOptions & { input?: string } = {}): Ran {
  const ran = run(program, args, options);
  if (ran.code !== 0) {
    const tail = ran.stderr.trim().split('\n').slice(-8).join('\n  ');
    throw new Error(`${program} ${args.join(' ')} exited ${ran.code ?? ran.signal}:\n  ${tail}`);
  }
  return ran;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
