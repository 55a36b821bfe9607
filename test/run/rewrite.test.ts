// --rewrite on a real child, lockguard as PID 1: dumb-init's own rewrite cases
// (tests/proxies_signals_test.py), and --kill-after counting from the signal as received.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE } from '../helpers/run.js';
import { FIXTURES, runSupervising, signalInTurn, startSupervising } from './harness.js';

const CATCHER = join(FIXTURES, 'catcher.mjs');
const rewriting = (rules: string[]) => rules.flatMap((rule) => ['--rewrite', rule]);

/** dumb-init's test: send the sequence one signal at a time; the child catches the expected ones, in order, and nothing else. */
async function expectRewritten(args: string[], sequence: NodeJS.Signals[], expected: NodeJS.Signals[]): Promise<void> {
  const outcome = await signalInTurn(args, sequence, expected);
  expect(outcome.stdout).toBe(['ready', ...expected].join('\n') + '\n');
  expect(outcome.code).toBe(0);
}

describe('--rewrite, lockguard as PID 1', () => {
  it('TERM→INT and INT→TERM swap, QUIT→QUIT stays, CONT is not rewritten', async () => {
    await expectRewritten(rewriting(['TERM:INT', 'INT:TERM', 'QUIT:QUIT']), ['SIGTERM', 'SIGQUIT', 'SIGCONT', 'SIGINT'], ['SIGINT', 'SIGQUIT', 'SIGCONT', 'SIGTERM']);
  });

  it('1:31, by number: a HUP reaches the child as SYS', async () => {
    await expectRewritten(rewriting(['1:31']), ['SIGHUP'], ['SIGSYS']);
  });

  it('TERM→QUIT, and INT and WINCH dropped while HUP still passes (LOCKGUARD_REWRITE)', async () => {
    const run = startSupervising(['--', NODE, CATCHER, 'SIGQUIT', 'SIGHUP'], { env: { LOCKGUARD_REWRITE: 'TERM:QUIT,INT:0,WINCH:0', LOCKGUARD_LOG_LEVEL: 'debug' } });
    await run.stdoutMatches(/^ready\n/);
    const lockguard = await run.trapped();
    process.kill(lockguard, 'SIGTERM');
    process.kill(lockguard, 'SIGINT');
    await run.stdoutMatches(/^ready\nSIGQUIT\n/);
    process.kill(lockguard, 'SIGWINCH');
    process.kill(lockguard, 'SIGHUP');
    const outcome = await run.done;
    // The catcher prints every signal it catches: an INT or a WINCH that got through would show.
    expect(outcome.stdout).toBe('ready\nSIGQUIT\nSIGHUP\n');
    expect(outcome.code).toBe(0);
    const dropped = outcome.logs.filter((line) => line.msg === 'dropping signal (--rewrite)').map((line) => line.signal);
    expect(dropped).toEqual(['SIGINT', 'SIGWINCH']);
  });

  it('31:1 is refused before anything runs: lockguard never traps SYS, so the rule could never apply', async () => {
    const outcome = await runSupervising(['--rewrite', '31:1', '--', 'echo', 'never']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(/^lockguard: --rewrite: SIGSYS is never forwarded \(a fault signal, left at its default as tini does.*\), so "31:1" would never apply\. Rewrite a forwarded signal: HUP, INT, .*\n$/);
  });
});

describe('--kill-after counts from the signal as received, before --rewrite', () => {
  it('a TERM rewritten to nothing still starts the clock: the child is SIGKILLed, 137', async () => {
    const run = startSupervising(['--rewrite', 'TERM:0', '--kill-after', '500ms', '--', 'sh', '-c', 'echo ready; while :; do sleep 0.1; done']);
    await run.stdoutMatches(/^ready$/m);
    process.kill(await run.trapped(), 'SIGTERM');
    const outcome = await run.done;
    expect(outcome.code).toBe(137);
    expect(outcome.logs.some((line) => line.level === 40 && /500 ms after SIGTERM: sending SIGKILL \(--kill-after\)/.test(line.msg))).toBe(true);
  });

  it('a HUP rewritten to TERM does not: the child takes its second to stop and exits 0', async () => {
    const child = 'trap "echo stopping; sleep 1; exit 0" TERM; echo ready; while :; do sleep 0.1; done';
    const run = startSupervising(['--signal-target', 'child', '--rewrite', 'HUP:TERM', '--kill-after', '300ms', '--', 'sh', '-c', child]);
    await run.stdoutMatches(/^ready$/m);
    process.kill(await run.trapped(), 'SIGHUP');
    const outcome = await run.done;
    expect(outcome.stdout).toBe('ready\nstopping\n');
    expect(outcome.code).toBe(0);
  });
});
