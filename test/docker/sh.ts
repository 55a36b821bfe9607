// Runs a program and returns what it printed; `must` turns a failure into one line that
// names the command, its exit code and the tail of its stderr.
import { spawnSync } from 'node:child_process';

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

export function run(program: string, args: string[], options: RunOptions = {}): Ran {
  const result = spawnSync(program, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${program} ${args.join(' ')}: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function must(program: string, args: string[], options: RunOptions = {}): Ran {
  const ran = run(program, args, options);
  if (ran.status !== 0) {
    const tail = ran.stderr.trim().split('\n').slice(-8).join('\n  ');
    throw new Error(`${program} ${args.join(' ')} exited ${ran.status}:\n  ${tail}`);
  }
  return ran;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
