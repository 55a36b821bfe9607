// COMMAND → the file to execute, searched on PATH the way execvp(3) does. lockguard
// resolves it itself, before the sweep, so that a typo fails at once with the shell's
// exit codes (127 not found, 126 not executable) and one line that says what to fix,
// and so that --exec (execve has no PATH search) and supervised runs agree.
import { accessSync, constants, statSync } from 'node:fs';

export type Resolution = { ok: true; path: string } | LaunchFailure;

export interface LaunchFailure {
  ok: false;
  exitCode: 126 | 127;
  message: string;
}

// What execvp uses when PATH is unset.
const DEFAULT_PATH = '/usr/bin:/bin';

type Candidate = 'executable' | 'missing' | 'directory' | 'not-executable';

function examine(path: string): Candidate {
  try {
    if (statSync(path).isDirectory()) return 'directory';
    accessSync(path, constants.X_OK);
    return 'executable';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'missing' : 'not-executable';
  }
}

export function resolveCommand(name: string, pathEnv: string | undefined): Resolution {
  if (name.includes('/')) return explain(name, examine(name));
  const searchPath = pathEnv ?? DEFAULT_PATH;
  // Like execvp: the first executable wins; a match that is not executable only counts
  // when nothing later on PATH is (then it is 126, not 127).
  let blocked: { path: string; candidate: Candidate } | undefined;
  for (const dir of searchPath.split(':')) {
    // Not path.join: it would turn "./name" (an empty PATH entry) into a bare name.
    const path = `${dir === '' ? '.' : dir}/${name}`;
    const candidate = examine(path);
    if (candidate === 'executable') return { ok: true, path };
    if (candidate !== 'missing') blocked ??= { path, candidate };
  }
  if (blocked) return explain(blocked.path, blocked.candidate);
  return {
    ok: false,
    exitCode: 127,
    message: `command not found: "${name}" is not on PATH (${searchPath}). Install it, or give its full path after "--".`,
  };
}

function explain(path: string, candidate: Candidate): Resolution {
  switch (candidate) {
    case 'executable':
      return { ok: true, path };
    case 'missing':
      return { ok: false, exitCode: 127, message: `command not found: "${path}" does not exist. Check the path after "--".` };
    case 'directory':
      return { ok: false, exitCode: 126, message: `cannot run "${path}": it is a directory. Give the program inside it after "--".` };
    case 'not-executable':
      return { ok: false, exitCode: 126, message: `cannot run "${path}": it is not executable. Run "chmod +x ${path}", or run it through its interpreter (e.g. -- node ${path}).` };
  }
}

/** The kernel refused a file that resolved fine: say why, with the shell's exit code. */
export function launchFailure(path: string, code: string | undefined): LaunchFailure {
  switch (code) {
    case 'ENOENT':
      return { ok: false, exitCode: 127, message: `cannot run "${path}": its interpreter (the #! line) or dynamic loader was not found. Install it, or fix the #! line.` };
    case 'ENOEXEC':
      return { ok: false, exitCode: 126, message: `cannot run "${path}": not a format this kernel can execute (no #! line, or a binary for another architecture). Add a #! line or use the right binary.` };
    default:
      return { ok: false, exitCode: 126, message: `cannot run "${path}": ${code === 'EACCES' ? 'permission denied' : (code ?? 'unknown error')}. Check its permissions, its #! interpreter's, and that its filesystem is not mounted noexec.` };
  }
}
