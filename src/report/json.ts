// The --json report, written in pieces: a 100k-lock report is never one string in memory.
// (process.stdout writes synchronously on Linux for files, pipes and terminals.)
import type { Report } from './types.js';

const CHUNK_CHARS = 64 * 1024;

export function writeJsonReport(report: Report, write: (text: string) => void = (text) => process.stdout.write(text)): void {
  const { locks, ...rest } = report;
  const head = { version: rest.version, mode: rest.mode, dryRun: rest.dryRun, namespace: rest.namespace, volumes: rest.volumes };
  const tail = { summary: rest.summary, ...(rest.problems ? { problems: rest.problems } : {}), ...(rest.interrupted ? { interrupted: rest.interrupted } : {}) };
  let buffer = JSON.stringify(head).slice(0, -1) + ',"locks":[';
  locks.forEach((entry, index) => {
    buffer += (index === 0 ? '' : ',') + JSON.stringify(entry);
    if (buffer.length >= CHUNK_CHARS) {
      write(buffer);
      buffer = '';
    }
  });
  write(buffer + '],' + JSON.stringify(tail).slice(1) + '\n');
}
