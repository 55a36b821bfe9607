import { HELP_OPTIONS } from './options.js';

const USAGE = `lockguard: reclaims locks left by dead processes on a container's state volume, then runs and supervises the gateway.

Usage:
  lockguard [OPTIONS] -- COMMAND [ARGS...]   sweep, then run COMMAND supervised (as PID 1 or a subreaper)
  lockguard sweep [OPTIONS]                  sweep and exit (Kubernetes initContainer)
  lockguard inspect [OPTIONS]                show the PID-namespace model and every lock's verdict; change nothing
  lockguard --help | --version

A lock is broken only on proof that its owner is dead; a lock that cannot be judged is kept and reported.
Run on the host (its PID namespace, as root), it sees every container's processes and judges locks on local volumes across them.

Options (each also as an environment variable; a flag beats the env):`;

const EXIT_CODES = `Exit codes:
  sweep, inspect   0 finished, 1 some entries could not be handled, 2 usage error
  run              the command's code, 128+N if signal N killed it, 126 not executable, 127 not found,
                   1 with --strict when the sweep had errors, 2 usage error`;

export function helpText(): string {
  const width = Math.max(...HELP_OPTIONS.map((option) => option.name.length)) + 4;
  const rows = HELP_OPTIONS.map((option) => {
    const env = option.env ? ` [${option.env}]` : '';
    return `  --${option.name.padEnd(width - 2)}${option.forms}${env}`;
  });
  return `${USAGE}\n${rows.join('\n')}\n\n${EXIT_CODES}\n`;
}
