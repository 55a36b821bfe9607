// pino on stderr, written synchronously (no worker-thread transport on the start-up path).
// Pretty output is a small formatter of our own, used when asked or when stderr is a TTY.
import pino, { type Logger } from 'pino';
import type { Config } from '../cli/options.js';
import { isTerminal } from '../kernel/ffi.js';

export type { Logger };

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  const options = { name: 'lockguard', level: config.logLevel, base: { pid: process.pid } };
  // `dest`, not `fd`: pino reads process.stdout.fd when `dest` is missing, and making process.stdout loads Node's streams.
  const destination = pino.destination({ dest: 2, sync: true });
  const format = config.logFormat ?? (isTerminal(2) ? 'pretty' : 'json');
  if (format === 'json') return pino(options, destination);
  return pino(options, { write: (line: string) => destination.write(prettyLine(line)) });
}

/** One JSON log line → "12:00:00.123 INFO  message key=value …". */
export function prettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const level = (LEVEL_NAMES[record.level as number] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${time} ${level} lockguard: ${String(record.msg ?? '')}${fields.length ? ' ' + fields.join(' ') : ''}\n`;
}
