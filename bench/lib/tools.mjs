// Finding the programs the bench compares against. Baselines come from Debian; when one is
// missing the bench installs it (it runs as root), and if that still fails the baseline is
// reported as missing with the reason rather than silently left out.
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runSync } from '../../harness/run.ts';
import { progress } from './progress.mjs';

// program → the Debian package that ships it
const DEBIAN_PACKAGES = { tini: 'tini', 'dumb-init': 'dumb-init', time: 'time', unshare: 'util-linux', perl: 'perl', find: 'findutils', ps: 'procps' };

export function which(program) {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/usr/sbin', '/bin'])) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Returns { program: { path, version } | { missing: reason } }, installing what it can. */
export function ensureTools(programs) {
  const wanted = programs.filter((p) => !gnuOrPath(p));
  if (wanted.length > 0) aptInstall(wanted.map((p) => DEBIAN_PACKAGES[p] ?? p));
  return Object.fromEntries(programs.map((p) => [p, describe(p)]));
}

// GNU time must be the binary, not the shell keyword; only /usr/bin/time will do.
function gnuOrPath(program) {
  return program === 'time' ? (existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined) : which(program);
}

function describe(program) {
  const path = gnuOrPath(program);
  if (!path) return { missing: lastAptError ?? `${program} not found and could not be installed` };
  return { path, version: versionOf(path) };
}

let lastAptError;

function aptInstall(packages) {
  if (process.getuid?.() !== 0) {
    lastAptError = `not root, cannot apt-get install ${packages.join(' ')}`;
    return;
  }
  progress(`installing ${packages.join(' ')} with apt-get`);
  const apt = (args) => {
    try {
      return runSync(['apt-get', ...args], { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 600_000 });
    } catch (error) {
      return { code: null, stderr: error.message };
    }
  };
  const install = () => apt(['install', '-y', '--no-install-recommends', ...packages]);
  let r = install();
  if (r.code !== 0) {
    // A fresh machine has no package lists yet.
    apt(['update']);
    r = install();
  }
  if (r.code !== 0) lastAptError = `apt-get install ${packages.join(' ')} failed: ${r.stderr.trim().split('\n').pop()}`;
}

function versionOf(path) {
  for (const flag of ['--version', '-V']) {
    const r = runSync([path, flag], { timeoutMs: 5000 });
    const text = `${r.stdout}${r.stderr}`.trim().split('\n')[0];
    if (r.code === 0 && text) return text;
  }
  return 'unknown';
}

/** The project's Node (node_modules/node, v24) when present, so lockguard and `node -e 0` share it. */
export function nodeBinary(repo) {
  const local = join(repo, 'node_modules', 'node', 'bin', 'node');
  return existsSync(local) ? realpathSync(local) : process.execPath;
}
