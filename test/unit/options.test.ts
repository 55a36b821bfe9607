import { describe, expect, it } from 'vitest';
import { parseConfig, UsageError } from '../../src/cli/options.js';
import { parseDuration } from '../../src/cli/duration.js';

const env = { HOME: '/home/u' };

describe('parseConfig', () => {
  it('defaults to what the schemas make of the values the README states (auto, 30s, info, group, flags off)', () => {
    const flagsOff = { LOCKGUARD_DRY_RUN: '0', LOCKGUARD_JSON: '0', LOCKGUARD_EXEC: '0', LOCKGUARD_NO_SUBREAPER: '0', LOCKGUARD_STRICT: '0' };
    const stated = parseConfig(['--volume', 'auto', '--grace', '30s', '--log-level', 'info', '--signal-target', 'group', '--', 'gateway'], { ...env, ...flagsOff });
    expect(parseConfig(['--', 'gateway'], env)).toEqual(stated);
    expect(stated).toMatchObject({ volume: 'auto', graceMs: 30_000, logLevel: 'info', signalTarget: 'group', lockGlobs: [], rewrites: new Map(), subreaper: true });
    expect(stated.logFormat).toBeUndefined();
  });

  it('defaults to the OpenClaw state dir chain', () => {
    expect(parseConfig(['sweep'], env).stateDirs).toEqual(['/home/u/.openclaw']);
    expect(parseConfig(['sweep'], { ...env, CLAWDBOT_STATE_DIR: '/c' }).stateDirs).toEqual(['/c']);
    expect(parseConfig(['sweep'], { ...env, CLAWDBOT_STATE_DIR: '/c', OPENCLAW_STATE_DIR: '/o' }).stateDirs).toEqual(['/o']);
  });

  it('takes repeatable flags, a colon-separated env, and lets a flag beat the env', () => {
    expect(parseConfig(['sweep', '--state-dir', '/a', '--state-dir', '/b'], env).stateDirs).toEqual(['/a', '/b']);
    expect(parseConfig(['sweep'], { ...env, LOCKGUARD_STATE_DIR: '/a:/b' }).stateDirs).toEqual(['/a', '/b']);
    expect(parseConfig(['sweep', '--state-dir', '/x'], { ...env, LOCKGUARD_STATE_DIR: '/a:/b' }).stateDirs).toEqual(['/x']);
    expect(parseConfig(['sweep', '--volume', 'shared'], { ...env, LOCKGUARD_VOLUME: 'exclusive' }).volume).toBe('shared');
    expect(parseConfig(['sweep'], { ...env, LOCKGUARD_DRY_RUN: 'yes', LOCKGUARD_GRACE: '2m' })).toMatchObject({ dryRun: true, graceMs: 120_000 });
  });

  it('reads run mode', () => {
    const config = parseConfig(['--kill-after', '1s', '--signal-target', 'child', '--no-subreaper', '--', 'node', 'gateway.js', '--help'], env);
    expect(config).toMatchObject({ mode: 'run', killAfterMs: 1000, signalTarget: 'child', subreaper: false, command: ['node', 'gateway.js', '--help'] });
  });

  it.each([
    [['sweep', '--bogus'], 'unknown option --bogus'],
    [['sweep', '--state-dir'], '--state-dir needs a value'],
    [['frobnicate'], 'unknown subcommand "frobnicate"'],
    [[], 'nothing to do'],
    [['--'], 'no command after "--"'],
    [['sweep', '--kill-after', '3s'], '--kill-after applies only to run mode'],
    [['sweep', '--rewrite', 'TERM:QUIT'], '--rewrite applies only to run mode'],
    [['sweep', '--', 'ls'], '"sweep" takes no command'],
  ])('rejects %j with one line naming the problem', (argv, message) => {
    expect(() => parseConfig(argv, env)).toThrow(UsageError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });

  it('validates every option before honouring --help, so manifests can be checked', () => {
    expect(parseConfig(['sweep', '--help'], env).mode).toBe('help');
    expect(parseConfig(['--help'], env).mode).toBe('help');
    expect(parseConfig(['--kill-after', '20s', '--help', '--', 'node', 'gateway.js'], env).mode).toBe('help');
    expect(() => parseConfig(['sweep', '--volume', 'nope', '--help'], env)).toThrow(UsageError);
    expect(() => parseConfig(['bogus', '--help'], env)).toThrow('unknown subcommand "bogus"');
    expect(() => parseConfig(['sweep', '--kill-after', '1s', '--help'], env)).toThrow('--kill-after applies only to run mode');
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1_500],
    ['10', 10_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 's', '-1s', '1d', '1e3', 'ten'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
