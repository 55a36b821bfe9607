// Every option and its env variable, given a bad value, fails with one line that names
// where the value came from (the flag or the variable), the accepted forms, and the value.
import { describe, expect, it } from 'vitest';
import { HELP_OPTIONS, parseConfig, UsageError } from '../../src/cli/options.js';

const env = { HOME: '/home/u' };

// [option, bad flag value, bad env value, the accepted forms as the message states them].
// An empty env list counts as unset, so a list's empty item is, in the env, a list of only separators.
const VALUED: Array<[string, string, string, string]> = [
  ['state-dir', '', '::', 'a directory path; repeatable; env: colon-separated list'],
  ['lock', '', '::', 'a glob relative to the state dir, e.g. "run/*.pid"; repeatable; env: colon-separated list'],
  ['volume', 'sometimes', 'sometimes', 'auto, exclusive or shared'],
  ['grace', 'soon', '', 'a duration such as 30s, 500ms, 2m (a bare number means seconds)'],
  ['log-level', 'loud', 'LOUD', 'trace, debug, info, warn, error, fatal or silent'],
  ['log-format', 'xml', '', 'json or pretty'],
  ['keep-reclaimed', '', '', 'a directory on the same filesystem as the state dir'],
  ['signal-target', 'parent', 'parent', 'group or child'],
  ['kill-after', 'later', '-1s', 'a duration such as 10s, 500ms, 1m'],
  ['rewrite', 'TERM', ',,', 'SRC:DST, signals by name or number (TERM:QUIT, 15:3), DST 0 drops SRC; repeatable; env: comma-separated list'],
];
const FLAGS = ['dry-run', 'json', 'exec', 'no-subreaper', 'strict'];
const INFORMATIONAL = ['help', 'version'];

const envName = (option: string) => `LOCKGUARD_${option.toUpperCase().replaceAll('-', '_')}`;
// Run mode accepts every option, so each is checked there.
const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => () => parseConfig([...args, '--', 'gateway'], { ...env, ...extraEnv });

describe('a bad value names itself', () => {
  it('every option is in one of the tables below', () => {
    expect(HELP_OPTIONS.map((option) => option.name).sort()).toEqual([...VALUED.map(([name]) => name), ...FLAGS, ...INFORMATIONAL].sort());
  });

  it.each(VALUED)('--%s %j', (option, value, _, forms) => {
    expect(run([`--${option}`, value])).toThrow(new UsageError(`--${option}: expected ${forms}, got ${JSON.stringify(value)}`));
  });

  it.each(VALUED.map(([option, , value, forms]) => [option, value, forms]))('the env form of --%s, %j', (option, value, forms) => {
    expect(run([], { [envName(option)]: value })).toThrow(new UsageError(`${envName(option)}: expected ${forms}, got ${JSON.stringify(value)}`));
  });

  it.each([...FLAGS, ...INFORMATIONAL])('--%s=yes', (option) => {
    expect(run([`--${option}=yes`])).toThrow(new UsageError(`--${option} is a flag and takes no value, got "yes". Run "lockguard --help" for the accepted options.`));
  });

  it.each(FLAGS)('the env form of --%s, "sometimes"', (option) => {
    expect(run([], { [envName(option)]: 'sometimes' })).toThrow(new UsageError(`${envName(option)}: expected 1/true/yes or 0/false/no, got "sometimes"`));
  });

  it('the env names in the help are the ones read', () => {
    for (const option of HELP_OPTIONS.filter((candidate) => candidate.env !== undefined)) expect(option.env).toBe(envName(option.name));
  });

  it('quotes a value with quotes or a newline so the error stays one line', () => {
    expect(run(['--volume', 'a "b"\nc'])).toThrow(new UsageError('--volume: expected auto, exclusive or shared, got "a \\"b\\"\\nc"'));
  });

  it('names the flag when the flag beats a good env value, and the variable when only the env is set', () => {
    expect(run(['--grace', 'x'], { LOCKGUARD_GRACE: '2s' })).toThrow('--grace: expected');
    expect(run([], { LOCKGUARD_GRACE: 'x' })).toThrow('LOCKGUARD_GRACE: expected');
    expect(run(['--state-dir', '/a', '--state-dir', ''])).toThrow('--state-dir: expected a directory path; repeatable; env: colon-separated list, got ""');
  });
});
