// --rewrite SRC:DST and LOCKGUARD_REWRITE: names or numbers, DST 0 drops, and a rule that
// could never apply (its SRC is never forwarded) is refused with the rule it got.
import { describe, expect, it } from 'vitest';
import { parseConfig, UsageError } from '../../src/cli/options.js';
import { rewritten } from '../../src/run/rewrite.js';

const env = { HOME: '/home/u' };
const rewritesOf = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => parseConfig([...args, '--', 'gateway'], { ...env, ...extraEnv }).rewrites;

describe('--rewrite', () => {
  it('is empty by default, and then every signal goes on as received', () => {
    const rewrites = rewritesOf([]);
    expect(rewrites.size).toBe(0);
    expect(rewritten(rewrites, 'SIGTERM')).toBe('SIGTERM');
  });

  it.each([
    ['TERM:QUIT', 'SIGTERM', 'SIGQUIT'],
    ['SIGTERM:SIGQUIT', 'SIGTERM', 'SIGQUIT'],
    ['sigterm:quit', 'SIGTERM', 'SIGQUIT'],
    ['15:3', 'SIGTERM', 'SIGQUIT'],
    [' 15 : 3 ', 'SIGTERM', 'SIGQUIT'],
    ['INT:0', 'SIGINT', 'drop'],
    ['1:31', 'SIGHUP', 'SIGSYS'],
    ['POLL:IOT', 'SIGIO', 'SIGABRT'],
    ['TSTP:STOP', 'SIGTSTP', 'SIGSTOP'],
    ['TERM:KILL', 'SIGTERM', 'SIGKILL'],
  ])('%j rewrites %s to %s', (rule, from, to) => {
    expect(rewritten(rewritesOf(['--rewrite', rule]), from as NodeJS.Signals)).toBe(to);
  });

  it('takes several flags, or a comma-separated env; a flag beats the env', () => {
    const rules = ['TERM:QUIT', 'INT:0', 'WINCH:0'];
    const expected = new Map([['SIGTERM', 'SIGQUIT'], ['SIGINT', 'drop'], ['SIGWINCH', 'drop']]);
    expect(rewritesOf(rules.flatMap((rule) => ['--rewrite', rule]))).toEqual(expected);
    expect(rewritesOf([], { LOCKGUARD_REWRITE: rules.join(',') })).toEqual(expected);
    expect(rewritesOf([], { LOCKGUARD_REWRITE: 'TERM:QUIT, INT:0,,WINCH:0' })).toEqual(expected);
    expect(rewritesOf(['--rewrite', 'HUP:USR1'], { LOCKGUARD_REWRITE: rules.join(',') })).toEqual(new Map([['SIGHUP', 'SIGUSR1']]));
  });

  it('accepts the same rule twice, in any spelling', () => {
    expect(rewritesOf(['--rewrite', 'TERM:QUIT', '--rewrite', '15:3'])).toEqual(new Map([['SIGTERM', 'SIGQUIT']]));
  });

  const FORWARDED = 'HUP, INT, QUIT, USR1, USR2, PIPE, ALRM, TERM, STKFLT, CONT, TSTP, TTIN, TTOU, URG, XCPU, XFSZ, VTALRM, PROF, WINCH, IO, PWR';
  it.each([
    ['TERM', '--rewrite: expected SRC:DST, signals by name or number (TERM:QUIT, 15:3), DST 0 drops SRC; repeatable; env: comma-separated list, got "TERM"'],
    ['TERM:QUIT:INT', '--rewrite: expected SRC:DST, signals by name or number (TERM:QUIT, 15:3), DST 0 drops SRC; repeatable; env: comma-separated list, got "TERM:QUIT:INT"'],
    [':3', '--rewrite: expected SRC:DST, signals by name or number (TERM:QUIT, 15:3), DST 0 drops SRC; repeatable; env: comma-separated list, got ":3"'],
    ['TERM:', '--rewrite: expected SRC:DST, signals by name or number (TERM:QUIT, 15:3), DST 0 drops SRC; repeatable; env: comma-separated list, got "TERM:"'],
    ['FOO:1', '--rewrite: unknown signal "FOO" in "FOO:1": give a name (TERM or SIGTERM) or a number from 1 to 31, and 0 as DST to drop the signal'],
    ['TERM:32', '--rewrite: unknown signal "32" in "TERM:32": give a name (TERM or SIGTERM) or a number from 1 to 31, and 0 as DST to drop the signal'],
    ['TERM:-1', '--rewrite: unknown signal "-1" in "TERM:-1": give a name (TERM or SIGTERM) or a number from 1 to 31, and 0 as DST to drop the signal'],
    ['0:15', '--rewrite: unknown signal "0" in "0:15": give a name (TERM or SIGTERM) or a number from 1 to 31, and 0 as DST to drop the signal'],
    ['31:1', `--rewrite: SIGSYS is never forwarded (a fault signal, left at its default as tini does, so that a fault in lockguard itself is not hidden), so "31:1" would never apply. Rewrite a forwarded signal: ${FORWARDED}`],
    ['SEGV:TERM', `--rewrite: SIGSEGV is never forwarded (a fault signal, left at its default as tini does, so that a fault in lockguard itself is not hidden), so "SEGV:TERM" would never apply. Rewrite a forwarded signal: ${FORWARDED}`],
    ['KILL:TERM', `--rewrite: SIGKILL is never forwarded (it cannot be caught), so "KILL:TERM" would never apply. Rewrite a forwarded signal: ${FORWARDED}`],
    ['CHLD:TERM', `--rewrite: SIGCHLD is never forwarded (lockguard's own: it drives the reaper), so "CHLD:TERM" would never apply. Rewrite a forwarded signal: ${FORWARDED}`],
  ])('refuses %j with one line that names it', (rule, message) => {
    expect(() => rewritesOf(['--rewrite', rule])).toThrow(new UsageError(message));
    expect(() => rewritesOf([], { LOCKGUARD_REWRITE: `HUP:HUP,${rule}` })).toThrow(new UsageError(message.replace(/^--rewrite/, 'LOCKGUARD_REWRITE')));
  });

  it('refuses two different rules for one signal, naming both', () => {
    expect(() => rewritesOf(['--rewrite', 'TERM:QUIT', '--rewrite', '15:0'])).toThrow(new UsageError('--rewrite: SIGTERM is rewritten twice, by "TERM:QUIT" and by "15:0"; keep one'));
  });
});
