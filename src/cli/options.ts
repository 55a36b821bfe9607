// Command line and LOCKGUARD_* environment → one validated Config. A flag beats the env, and the
// env beats the default. FIELDS (zod/mini) are the Config's type and check every value given;
// defaults() gives the values of those not given; OPTION_SPECS says where each value comes from and how
// the help states its forms. The first issue becomes a UsageError: one line that names the option (or
// the env variable it came from), the accepted forms, and the value it got.
// zod/mini costs every start about 4-5 ms when it builds all of its schemas (loading it, building them
// and the first parse run cold code; measured A/B on the bundle). Hence zod/mini, not full zod, and a
// field's schema is built only when a value for it is given: `lockguard --state-dir DIR -- CMD` builds
// the state dirs' list alone, about 1.5 ms less (A/B on the bundle, run and sweep modes).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { parseRewriteRule, type Rewrites } from '../run/rewrite.js';
import { parseDuration } from './duration.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Mode = 'run' | 'sweep' | 'inspect' | 'help' | 'version';

const ENV_BOOLEAN = '1/true/yes or 0/false/no';
const FLAG = `a flag; env: ${ENV_BOOLEAN}`;

interface OptionSpec {
  /** The Config field the option sets; help and version set the mode. */
  field?: keyof Fields;
  type: 'string' | 'boolean';
  multiple?: true;
  env?: string;
  /** What splits the env form of a repeatable option. */
  separator?: string;
  short?: string;
  /** The accepted forms, as the help and the errors state them. */
  forms: string;
}

// One table drives the flags, the env names, the help text, and which Config field each option sets.
const OPTION_SPECS = {
  'state-dir': { field: 'stateDirs', type: 'string', multiple: true, env: 'LOCKGUARD_STATE_DIR', separator: ':', forms: 'a directory path; repeatable; env: colon-separated list' },
  lock: { field: 'lockGlobs', type: 'string', multiple: true, env: 'LOCKGUARD_LOCK', separator: ':', forms: 'a glob relative to the state dir, e.g. "run/*.pid"; repeatable; env: colon-separated list' },
  volume: { field: 'volume', type: 'string', env: 'LOCKGUARD_VOLUME', forms: 'auto, exclusive or shared' },
  grace: { field: 'graceMs', type: 'string', env: 'LOCKGUARD_GRACE', forms: 'a duration such as 30s, 500ms, 2m (a bare number means seconds)' },
  'dry-run': { field: 'dryRun', type: 'boolean', env: 'LOCKGUARD_DRY_RUN', forms: FLAG },
  json: { field: 'json', type: 'boolean', env: 'LOCKGUARD_JSON', forms: FLAG },
  'log-level': { field: 'logLevel', type: 'string', env: 'LOCKGUARD_LOG_LEVEL', forms: 'trace, debug, info, warn, error, fatal or silent' },
  // No default here: pretty when stderr is a terminal, which the logger asks only once it is made (log/logger.ts).
  'log-format': { field: 'logFormat', type: 'string', env: 'LOCKGUARD_LOG_FORMAT', forms: 'json or pretty' },
  'keep-reclaimed': { field: 'keepReclaimed', type: 'string', env: 'LOCKGUARD_KEEP_RECLAIMED', forms: 'a directory on the same filesystem as the state dir' },
  'signal-target': { field: 'signalTarget', type: 'string', env: 'LOCKGUARD_SIGNAL_TARGET', forms: 'group or child' },
  'kill-after': { field: 'killAfterMs', type: 'string', env: 'LOCKGUARD_KILL_AFTER', forms: 'a duration such as 10s, 500ms, 1m' },
  rewrite: { field: 'rewrites', type: 'string', multiple: true, env: 'LOCKGUARD_REWRITE', separator: ',', forms: 'SRC:DST, signals by name or number (TERM:QUIT, 15:3), DST 0 drops SRC; repeatable; env: comma-separated list' },
  exec: { field: 'exec', type: 'boolean', env: 'LOCKGUARD_EXEC', forms: FLAG },
  'no-subreaper': { field: 'subreaper', type: 'boolean', env: 'LOCKGUARD_NO_SUBREAPER', forms: FLAG },
  strict: { field: 'strict', type: 'boolean', env: 'LOCKGUARD_STRICT', forms: FLAG },
  help: { type: 'boolean', short: 'h', forms: 'a flag' },
  version: { type: 'boolean', short: 'V', forms: 'a flag' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTION_SPECS;

const RUN_ONLY: OptionName[] = ['signal-target', 'kill-after', 'rewrite', 'exec', 'no-subreaper', 'strict'];

/** A text that is no value of the option's accepted forms: the message is then built from the forms. */
function notOfForms(ctx: { issues: z.core.$ZodRawIssue[] }, input: string, format: string): never {
  ctx.issues.push({ code: 'invalid_format', format, input });
  return z.NEVER;
}

/** A schema built the first time it is asked for. */
function lazy<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

const nonEmpty = lazy(() => z.string().check(z.minLength(1)));
/** A list from the env that held only separators is an empty list: no value at all. */
const list = lazy(() => z.array(nonEmpty()).check(z.minLength(1)));
const duration = lazy(() => z.transform((text: string, ctx) => parseDuration(text) ?? notOfForms(ctx, text, 'duration')));
const ENV_WORDS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 'true', 'yes', 'on'].map((word) => [word, true] as const),
  ...['0', 'false', 'no', 'off', ''].map((word) => [word, false] as const),
]);
/** true from the flag; from the env, a word. */
const flagOf = (given: boolean | string, ctx: { issues: z.core.$ZodRawIssue[] }) => (typeof given === 'boolean' ? given : (ENV_WORDS.get(given.trim().toLowerCase()) ?? notOfForms(ctx, given, 'flag')));
const flag = lazy(() => z.transform(flagOf));

const rewriteRule = (text: string, ctx: { issues: z.core.$ZodRawIssue[] }) => {
  const rule = parseRewriteRule(text);
  if (rule.ok) return { from: rule.from, to: rule.to, text };
  if (rule.problem === undefined) return notOfForms(ctx, text, 'SRC:DST');
  ctx.issues.push({ code: 'custom', message: rule.problem, input: text });
  return z.NEVER;
};
/** The same rule twice, in any spelling, is one rule; two different rules for one signal are refused. */
const rewrites = lazy(() =>
  z.pipe(
    z.array(z.transform(rewriteRule)).check(z.minLength(1)),
    z.transform((rules, ctx): Rewrites => {
      const first = new Map<NodeJS.Signals, (typeof rules)[number]>();
      rules.forEach((rule, index) => {
        const earlier = first.get(rule.from);
        if (earlier && earlier.to !== rule.to) ctx.issues.push({ code: 'custom', message: `${rule.from} is rewritten twice, by "${earlier.text}" and by "${rule.text}"; keep one`, input: rule.text, path: [index] });
        else first.set(rule.from, rule);
      });
      return new Map([...first].map(([from, rule]) => [from, rule.to]));
    }),
  ),
);

/** Each Config field's schema but its mode and command, checked in this order: the first bad value is the one reported. */
const FIELDS = {
  stateDirs: list,
  lockGlobs: list,
  volume: lazy(() => z.enum(['auto', 'exclusive', 'shared'])),
  graceMs: duration,
  logLevel: lazy(() => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])),
  logFormat: lazy(() => z.enum(['json', 'pretty'])),
  signalTarget: lazy(() => z.enum(['group', 'child'])),
  killAfterMs: duration,
  rewrites,
  keepReclaimed: nonEmpty,
  dryRun: flag,
  json: flag,
  exec: flag,
  subreaper: lazy(() => z.transform((noSubreaper: boolean | string, ctx) => !flagOf(noSubreaper, ctx))),
  strict: flag,
};

type Fields = { [K in keyof typeof FIELDS]: z.output<ReturnType<(typeof FIELDS)[K]>> };
/** Unset unless given: the logger decides the format (pretty on a terminal). */
type Unset = 'killAfterMs' | 'keepReclaimed' | 'logFormat';
export type Config = Omit<Fields, Unset> & Partial<Pick<Fields, Unset>> & { mode: Mode; command: string[] };

/**
 * The value of each field no flag or variable gives, as its schema would make it of the value the help
 * states (--grace 30s, --volume auto, …). The state dirs default to OpenClaw's own chain of variables.
 */
function defaults(env: NodeJS.ProcessEnv): Omit<Fields, Unset> {
  return { stateDirs: defaultStateDirs(env), lockGlobs: [], volume: 'auto', graceMs: 30_000, logLevel: 'info', signalTarget: 'group', rewrites: new Map(), dryRun: false, json: false, exec: false, subreaper: true, strict: false };
}

/** A field's value as given (by a flag or a variable): where it came from, its text, a list's items, and the forms it should have. */
interface Given {
  value: string | string[] | boolean;
  from: string;
  text: string;
  items?: string[];
  forms: string;
}

/**
 * Each option's value from its flag, else from its variable: the env form of a list is split at its
 * separator (empty items dropped, an empty variable unset), the env form of a flag is a word.
 */
function gather(flags: Record<string, string | string[] | boolean | undefined>, env: NodeJS.ProcessEnv): Map<keyof Fields, Given> {
  const given = new Map<keyof Fields, Given>();
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [string, OptionSpec][]) {
    if (spec.field === undefined || spec.env === undefined) continue;
    const fromFlag = flags[name];
    const text = env[spec.env];
    if (fromFlag !== undefined) {
      given.set(spec.field, { value: fromFlag, from: `--${name}`, text: String(fromFlag), ...(Array.isArray(fromFlag) ? { items: fromFlag } : {}), forms: spec.forms });
    } else if (text !== undefined && !(spec.separator && text === '')) {
      const items = spec.separator ? text.split(spec.separator).filter((item) => item !== '') : undefined;
      given.set(spec.field, { value: items ?? text, from: spec.env, text, ...(items ? { items } : {}), forms: spec.type === 'boolean' ? ENV_BOOLEAN : spec.forms });
    }
  }
  return given;
}

/** The first issue, as one line that names where the value came from. */
function usageErrorOf(issue: z.core.$ZodIssue, source: Given): UsageError {
  if (issue.code === 'custom') return new UsageError(`${source.from}: ${issue.message}`);
  const [index] = issue.path;
  const text = typeof index === 'number' ? (source.items?.[index] ?? source.text) : source.text;
  return new UsageError(`${source.from}: expected ${source.forms}, got ${JSON.stringify(text)}`);
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

  const given = gather(flags, env);
  const config: Record<string, unknown> = { mode, command, ...defaults(env) };
  for (const field of Object.keys(FIELDS) as (keyof Fields)[]) {
    const source = given.get(field);
    if (source === undefined) continue;
    const parsed = FIELDS[field]().safeParse(source.value);
    if (!parsed.success) throw usageErrorOf(parsed.error.issues[0]!, source);
    config[field] = parsed.data;
  }
  // Each field holds its schema's output (or its default, of the same type).
  return config as Config;
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
