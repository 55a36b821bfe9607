// Command line and LOCKGUARD_* environment → one validated Config. A flag beats the env.
// Every failure is a UsageError with one line that names the option (or the env variable
// it came from), the accepted forms, and the value it got.
// Validation is a few plain checks, not zod: this runs on every start, and zod cost 60+ ms to load.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRewriteRule, type Rewrites } from '../run/rewrite.js';
import { parseDuration } from './duration.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Mode = 'run' | 'sweep' | 'inspect' | 'help' | 'version';

export interface Config {
  mode: Mode;
  stateDirs: string[];
  lockGlobs: string[];
  volume: 'auto' | 'exclusive' | 'shared';
  graceMs: number;
  dryRun: boolean;
  json: boolean;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  logFormat: 'json' | 'pretty';
  keepReclaimed?: string | undefined;
  signalTarget: 'group' | 'child';
  killAfterMs?: number | undefined;
  rewrites: Rewrites;
  exec: boolean;
  subreaper: boolean;
  strict: boolean;
  command: string[];
}

// One table drives the flags, the env names and the help text.
const OPTION_SPECS = {
  'state-dir': { type: 'string', multiple: true, env: 'LOCKGUARD_STATE_DIR', forms: 'a directory path; repeatable; env: colon-separated list' },
  lock: { type: 'string', multiple: true, env: 'LOCKGUARD_LOCK', forms: 'a glob relative to the state dir, e.g. "run/*.pid"; repeatable; env: colon-separated list' },
  volume: { type: 'string', env: 'LOCKGUARD_VOLUME', forms: 'auto, exclusive or shared' },
  grace: { type: 'string', env: 'LOCKGUARD_GRACE', forms: 'a duration such as 30s, 500ms, 2m (a bare number means seconds)' },
  'dry-run': { type: 'boolean', env: 'LOCKGUARD_DRY_RUN', forms: 'a flag; env: 1/true/yes or 0/false/no' },
  json: { type: 'boolean', env: 'LOCKGUARD_JSON', forms: 'a flag; env: 1/true/yes or 0/false/no' },
  'log-level': { type: 'string', env: 'LOCKGUARD_LOG_LEVEL', forms: 'trace, debug, info, warn, error, fatal or silent' },
  'log-format': { type: 'string', env: 'LOCKGUARD_LOG_FORMAT', forms: 'json or pretty' },
  'keep-reclaimed': { type: 'string', env: 'LOCKGUARD_KEEP_RECLAIMED', forms: 'a directory on the same filesystem as the state dir' },
  'signal-target': { type: 'string', env: 'LOCKGUARD_SIGNAL_TARGET', forms: 'group or child' },
  'kill-after': { type: 'string', env: 'LOCKGUARD_KILL_AFTER', forms: 'a duration such as 10s, 500ms, 1m' },
  rewrite: { type: 'string', multiple: true, env: 'LOCKGUARD_REWRITE', forms: 'SRC:DST, signals by name or number (TERM:QUIT, 15:3), DST 0 drops SRC; repeatable; env: comma-separated list' },
  exec: { type: 'boolean', env: 'LOCKGUARD_EXEC', forms: 'a flag; env: 1/true/yes or 0/false/no' },
  'no-subreaper': { type: 'boolean', env: 'LOCKGUARD_NO_SUBREAPER', forms: 'a flag; env: 1/true/yes or 0/false/no' },
  strict: { type: 'boolean', env: 'LOCKGUARD_STRICT', forms: 'a flag; env: 1/true/yes or 0/false/no' },
  help: { type: 'boolean', short: 'h', forms: 'a flag' },
  version: { type: 'boolean', short: 'V', forms: 'a flag' },
} as const;

type OptionName = keyof typeof OPTION_SPECS;

const RUN_ONLY: OptionName[] = ['signal-target', 'kill-after', 'rewrite', 'exec', 'no-subreaper', 'strict'];

/** A value as given, and where: "--volume" for the flag, "LOCKGUARD_VOLUME" for the env. */
interface Given {
  text: string;
  from: string;
}

function rejected(option: OptionName, given: Given): UsageError {
  return new UsageError(`${given.from}: expected ${OPTION_SPECS[option].forms}, got ${JSON.stringify(given.text)}`);
}

function oneOf<T extends string>(option: OptionName, values: readonly T[], given: Given): T {
  if (!(values as readonly string[]).includes(given.text)) throw rejected(option, given);
  return given.text as T;
}

function durationOf(option: OptionName, given: Given): number {
  const ms = parseDuration(given.text);
  if (ms === undefined) throw rejected(option, given);
  return ms;
}

function nonEmpty(option: OptionName, given: Given): string {
  if (given.text === '') throw rejected(option, given);
  return given.text;
}

function rewritesOf(given: Given[]): Rewrites {
  const rules = new Map<NodeJS.Signals, { to: NodeJS.Signals | 'drop'; text: string }>();
  for (const rule of given) {
    const parsed = parseRewriteRule(rule.text);
    if (!parsed.ok) throw parsed.problem === undefined ? rejected('rewrite', rule) : new UsageError(`${rule.from}: ${parsed.problem}`);
    const earlier = rules.get(parsed.from);
    if (earlier && earlier.to !== parsed.to) throw new UsageError(`${rule.from}: ${parsed.from} is rewritten twice, by "${earlier.text}" and by "${rule.text}"; keep one`);
    rules.set(parsed.from, { to: parsed.to, text: rule.text });
  }
  return new Map([...rules].map(([from, { to }]) => [from, to]));
}

interface RawOptions {
  stateDirs: Given[] | undefined;
  lockGlobs: Given[] | undefined;
  volume: Given;
  grace: Given;
  logLevel: Given;
  logFormat: Given;
  signalTarget: Given;
  killAfter: Given | undefined;
  rewrites: Given[] | undefined;
  keepReclaimed: Given | undefined;
}

/** Checks the values in a fixed order (the order of the fields), so the first bad one is the one reported. */
function validate(raw: RawOptions, env: NodeJS.ProcessEnv): Pick<Config, 'stateDirs' | 'lockGlobs' | 'volume' | 'graceMs' | 'logLevel' | 'logFormat' | 'signalTarget' | 'killAfterMs' | 'rewrites' | 'keepReclaimed'> {
  return {
    stateDirs: raw.stateDirs?.map((dir) => nonEmpty('state-dir', dir)) ?? defaultStateDirs(env),
    lockGlobs: raw.lockGlobs?.map((glob) => nonEmpty('lock', glob)) ?? [],
    volume: oneOf('volume', ['auto', 'exclusive', 'shared'] as const, raw.volume),
    graceMs: durationOf('grace', raw.grace),
    logLevel: oneOf('log-level', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, raw.logLevel),
    logFormat: oneOf('log-format', ['json', 'pretty'] as const, raw.logFormat),
    signalTarget: oneOf('signal-target', ['group', 'child'] as const, raw.signalTarget),
    killAfterMs: raw.killAfter === undefined ? undefined : durationOf('kill-after', raw.killAfter),
    rewrites: rewritesOf(raw.rewrites ?? []),
    keepReclaimed: raw.keepReclaimed === undefined ? undefined : nonEmpty('keep-reclaimed', raw.keepReclaimed),
  };
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off', '']);

function envFlag(env: NodeJS.ProcessEnv, option: OptionName): boolean | undefined {
  const name = envName(option);
  const text = env[name];
  if (text === undefined) return undefined;
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new UsageError(`${name}: expected 1/true/yes or 0/false/no, got ${JSON.stringify(text)}`);
}

function envName(option: OptionName): string {
  const spec = OPTION_SPECS[option];
  if (!('env' in spec)) throw new Error(`option --${option} has no env form`);
  return spec.env;
}

/** The env form of a repeatable option: its parts, each named by the variable. */
function envList(env: NodeJS.ProcessEnv, option: OptionName, separator: string): Given[] | undefined {
  const from = envName(option);
  const text = env[from];
  if (text === undefined || text === '') return undefined;
  const parts = text.split(separator).filter((part) => part !== '');
  // A list of only separators gives no value at all.
  if (parts.length === 0) throw rejected(option, { text, from });
  return parts.map((part) => ({ text: part, from }));
}

function defaultStateDirs(env: NodeJS.ProcessEnv): string[] {
  const fromOpenClaw = env.OPENCLAW_STATE_DIR || env.CLAWDBOT_STATE_DIR;
  return [fromOpenClaw || join(env.HOME || homedir(), '.openclaw')];
}

function parseTokens(argv: string[]) {
  const options = Object.fromEntries(
    Object.entries(OPTION_SPECS).map(([name, spec]) => [name, { type: spec.type, multiple: 'multiple' in spec, ...('short' in spec ? { short: spec.short } : {}) }]),
  ) as Record<string, { type: 'string' | 'boolean'; multiple: boolean; short?: string }>;
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(`${describeParseError(error, argv)}. Run "lockguard --help" for the accepted options.`);
  }
}

function describeParseError(error: unknown, args: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value: ${OPTION_SPECS[missing[1]!.slice(2) as OptionName]?.forms ?? 'see --help'}`;
  const boolValue = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (boolValue) {
    const given = args.find((arg) => arg.startsWith(`${boolValue[1]}=`));
    return `${boolValue[1]} is a flag and takes no value${given === undefined ? '' : `, got ${JSON.stringify(given.slice(boolValue[1]!.length + 1))}`}`;
  }
  return message.split('\n')[0]!.replace(/\.$/, '');
}

/** Parse argv (without node and script) and the environment into a Config. Throws UsageError. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const dashDash = argv.indexOf('--');
  const ownArgs = dashDash === -1 ? argv : argv.slice(0, dashDash);
  const command = dashDash === -1 ? [] : argv.slice(dashDash + 1);
  const { values, positionals } = parseTokens(ownArgs);
  const flags = values as Record<string, string | string[] | boolean | undefined>;

  const { mode, validatedAs } = chooseMode(positionals, dashDash !== -1, command, flags);
  if (validatedAs !== 'run') {
    const runOnly = RUN_ONLY.find((name) => flags[name] !== undefined);
    if (runOnly) throw new UsageError(`--${runOnly} applies only to run mode (lockguard [OPTIONS] -- COMMAND)${validatedAs ? `, not to "${validatedAs}"` : ''}`);
  }

  const str = (name: OptionName): Given | undefined => {
    const text = (flags[name] as string | undefined) ?? env[envName(name)];
    return text === undefined ? undefined : { text, from: flags[name] === undefined ? envName(name) : `--${name}` };
  };
  const orDefault = (name: OptionName, text: string): Given => str(name) ?? { text, from: `--${name}` };
  const list = (name: OptionName, separator: string): Given[] | undefined =>
    (flags[name] as string[] | undefined)?.map((text) => ({ text, from: `--${name}` })) ?? envList(env, name, separator);
  const flag = (name: OptionName) => (flags[name] as boolean | undefined) ?? envFlag(env, name) ?? false;

  const validated = validate(
    {
      stateDirs: list('state-dir', ':'),
      lockGlobs: list('lock', ':'),
      volume: orDefault('volume', 'auto'),
      grace: orDefault('grace', '30s'),
      logLevel: orDefault('log-level', 'info'),
      logFormat: orDefault('log-format', process.stderr.isTTY ? 'pretty' : 'json'),
      signalTarget: orDefault('signal-target', 'group'),
      killAfter: str('kill-after'),
      rewrites: list('rewrite', ','),
      keepReclaimed: str('keep-reclaimed'),
    },
    env,
  );
  return {
    mode,
    ...validated,
    dryRun: flag('dry-run'),
    json: flag('json'),
    exec: flag('exec'),
    subreaper: !flag('no-subreaper'),
    strict: flag('strict'),
    command,
  };
}

/**
 * The mode to run, and the mode the command line is validated as: `--help` and `--version`
 * still check the rest of the line, so a manifest's command can be tested with `--help` appended.
 */
function chooseMode(positionals: string[], hasDashDash: boolean, command: string[], flags: Record<string, unknown>): { mode: Mode; validatedAs: 'run' | 'sweep' | 'inspect' | undefined } {
  const informational = flags.help ? 'help' : flags.version ? 'version' : undefined;
  const [first, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}". Put the command after "--": lockguard [OPTIONS] -- COMMAND [ARGS...]`);
  let validatedAs: 'run' | 'sweep' | 'inspect' | undefined;
  if (first === 'sweep' || first === 'inspect') {
    if (hasDashDash) throw new UsageError(`"${first}" takes no command after "--"; to run a command, drop "${first}": lockguard [OPTIONS] -- COMMAND`);
    validatedAs = first;
  } else if (first !== undefined) {
    throw new UsageError(`unknown subcommand "${first}": expected sweep, inspect, or "-- COMMAND [ARGS...]"`);
  } else if (hasDashDash) {
    if (command.length === 0) throw new UsageError('no command after "--": lockguard [OPTIONS] -- COMMAND [ARGS...]');
    validatedAs = 'run';
  } else if (!informational) {
    throw new UsageError('nothing to do: give a subcommand (sweep, inspect) or a command after "--". Run "lockguard --help".');
  }
  return { mode: informational ?? validatedAs!, validatedAs };
}

export const HELP_OPTIONS: ReadonlyArray<{ name: string; env?: string; forms: string }> = Object.entries(OPTION_SPECS).map(([name, spec]) => ({
  name,
  ...('env' in spec ? { env: spec.env } : {}),
  forms: spec.forms,
}));
