// Real holder processes for the kernel tests, optionally in a fresh PID namespace.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const HOLDER = fileURLToPath(new URL('./sqlite-holder.mjs', import.meta.url));

export interface Holder {
  child: ChildProcess;
  /** The holder's pid as its own namespace sees it (1 inside a fresh namespace). */
  innerPid: number;
  stop(): Promise<void>;
}

/** Starts the sqlite holder and waits for its "ready" line. `namespace`: run it as PID 1 of a new PID namespace. */
export async function startHolder(args: string[], options: { namespace?: boolean } = {}): Promise<Holder> {
  const command = options.namespace ? 'unshare' : process.execPath;
  const argv = options.namespace ? ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, HOLDER, ...args] : [HOLDER, ...args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const innerPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`holder exited early (${code}): ${err}`)));
  });
  return {
    child,
    innerPid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** The pid-namespace inode of a namespace that existed and is gone: "the previous container". */
export function deadNamespaceInode(): number {
  const out = execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'stat', '-L', '-c', '%i', '/proc/self/ns/pid'], { encoding: 'utf8' });
  return Number(out.trim());
}

export function ownNamespaceInode(): number {
  return Number(execFileSync('stat', ['-L', '-c', '%i', '/proc/self/ns/pid'], { encoding: 'utf8' }).trim());
}
