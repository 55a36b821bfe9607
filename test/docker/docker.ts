// Small, synchronous wrappers around the docker CLI for the scenarios, plus polling helpers.
import type { Report } from '../../src/report/types.js';
import { parseReport } from '../helpers/sweep-report.js';
import { must, run, sleep } from './sh.js';

export interface LogLine {
  at: number; // ms since the epoch, the daemon's timestamp of the line
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Every line the container printed so far (all its runs), with the daemon's timestamps. */
export function logLines(id: string): LogLine[] {
  const ran = must('docker', ['logs', '--timestamps', id]);
  return [...parseTimestamped(ran.stdout, 'stdout'), ...parseTimestamped(ran.stderr, 'stderr')].sort((a, b) => a.at - b.at);
}

function parseTimestamped(text: string, stream: LogLine['stream']): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      return { at: Date.parse(line.slice(0, space)), stream, text: line.slice(space + 1) };
    });
}

/** Waits until the container has printed `count` lines matching `pattern` and returns the last of them. */
export async function waitForLine(id: string, pattern: RegExp, options: { count?: number; timeoutMs?: number } = {}): Promise<LogLine> {
  const count = options.count ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const matches = logLines(id).filter((line) => pattern.test(line.text));
    if (matches.length >= count) return matches[count - 1]!;
    if (Date.now() > deadline) {
      const tail = logLines(id).slice(-10).map((line) => `  ${line.stream}: ${line.text}`).join('\n');
      throw new Error(`container ${id.slice(0, 12)}: no ${count}× ${pattern} within ${options.timeoutMs ?? 60_000} ms; last lines:\n${tail}`);
    }
    await sleep(200);
  }
}

/** Blocks until the container exits and returns its exit code. */
export function waitExit(id: string, timeoutMs = 120_000): number {
  return Number(must('docker', ['wait', id], { timeoutMs }).stdout.trim());
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
  startedAt: number;
  finishedAt: number;
}

export function state(id: string): ContainerState {
  const format = '{{.State.Running}} {{.State.ExitCode}} {{.State.StartedAt}} {{.State.FinishedAt}}';
  const [running, exitCode, startedAt, finishedAt] = must('docker', ['inspect', '--format', format, id]).stdout.trim().split(' ');
  return { running: running === 'true', exitCode: Number(exitCode), startedAt: Date.parse(startedAt!), finishedAt: Date.parse(finishedAt!) };
}

export function kill(id: string, signal = 'KILL'): void {
  must('docker', ['kill', '--signal', signal, id]);
}

export function start(id: string): void {
  must('docker', ['start', id]);
}

/** docker stop: TERM to PID 1, KILL after graceSeconds. Returns how long it took. */
export function stop(id: string, graceSeconds = 20): number {
  const begun = Date.now();
  must('docker', ['stop', '--time', String(graceSeconds), id], { timeoutMs: (graceSeconds + 30) * 1000 });
  return Date.now() - begun;
}

/** A file's bytes inside a running container (busybox cat), or undefined when it is absent. */
export function readFileIn(id: string, path: string): string | undefined {
  const ran = run('docker', ['exec', id, 'cat', path]);
  return ran.code === 0 ? ran.stdout : undefined;
}

/** The JSON report a `lockguard sweep|inspect --json` container printed on stdout, validated against the report's schema. */
export function jsonReportOf(id: string): Report {
  const line = logLines(id)
    .filter((entry) => entry.stream === 'stdout' && entry.text.startsWith('{'))
    .at(-1);
  if (!line) throw new Error(`container ${id.slice(0, 12)}: printed no JSON report on stdout`);
  return parseReport(line.text);
}

/** lockguard's JSON log records (stderr) with a given message, e.g. "reclaimed lock". */
export function lockguardLogs(id: string, message: string, since = 0): Record<string, unknown>[] {
  return logLines(id)
    .filter((line) => line.stream === 'stderr' && line.at >= since && line.text.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line.text) as Record<string, unknown>];
      } catch {
        return [];
      }
    })
    .filter((record) => record.msg === message);
}
