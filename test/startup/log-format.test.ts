// Pretty logs only when stderr is a terminal (asked with isatty(2), not by making process.stderr), JSON
// lines otherwise; --log-format and LOCKGUARD_LOG_FORMAT decide over both.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY, NODE, run, runLockguard } from '../helpers/run.js';
import { tempDir } from '../run/harness.js';

const PRETTY_DONE = /^\d\d:\d\d:\d\d\.\d{3} INFO  lockguard: sweep done /m;

function emptyStateDir(): string {
  const dir = join(tempDir('lockguard-state-'), 'state');
  mkdirSync(dir);
  return dir;
}

/** The sweep with stdin, stdout and stderr on a pseudo-terminal (script(1)); what the terminal showed. */
async function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const quoted = [NODE, ENTRY, 'sweep', '--state-dir', emptyStateDir(), ...args].map((arg) => `'${arg}'`).join(' ');
  const ran = await run(['script', '--quiet', '--return', '--command', quoted, '/dev/null'], { pid1: false, env });
  expect(ran.code, ran.stderr).toBe(0);
  return ran.stdout.replaceAll('\r\n', '\n');
}

describe('the log format', () => {
  it('is pretty on a terminal', async () => {
    expect(await onTerminal([])).toMatch(PRETTY_DONE);
  });

  it('is JSON lines on a pipe', async () => {
    const ran = await runLockguard(['sweep', '--state-dir', emptyStateDir()], { pid1: false });
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stderr.trim().split('\n').at(-1)!)).toMatchObject({ level: 30, msg: 'sweep done' });
  });

  it('--log-format json on a terminal, and LOCKGUARD_LOG_FORMAT=pretty on a pipe, are what they ask', async () => {
    const terminal = (await onTerminal(['--log-format', 'json'])).trim().split('\n').at(-1)!;
    expect(JSON.parse(terminal)).toMatchObject({ msg: 'sweep done' });
    const piped = await runLockguard(['sweep', '--state-dir', emptyStateDir()], { pid1: false, env: { LOCKGUARD_LOG_FORMAT: 'pretty' } });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toMatch(PRETTY_DONE);
  });
});
