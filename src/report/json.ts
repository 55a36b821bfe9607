// The --json report, written as the sweep goes: each lock once it is judged, the rest once the sweep is
// done. Neither the report's text nor its list of locks is ever whole in memory, so a 100,000-lock report
// costs what a 10-lock one does. The locks come before the namespace and the volumes, which the sweep fills
// in as it goes (the processes its locks name, the scans of /proc).
// (process.stdout writes synchronously on Linux for files, pipes and terminals.)
import type { LockEntry, Report } from './types.js';

const CHUNK_CHARS = 64 * 1024;

type Write = (text: string) => void;
const toStdout: Write = (text) => process.stdout.write(text);

export interface JsonReportWriter {
  lock(entry: LockEntry): void;
  /** The rest of the report (its `locks` are not written again). */
  end(report: Report): void;
}

export function jsonReportWriter(head: Pick<Report, 'version' | 'mode' | 'dryRun'>, write: Write = toStdout): JsonReportWriter {
  let buffer = JSON.stringify({ version: head.version, mode: head.mode, dryRun: head.dryRun }).slice(0, -1) + ',"locks":[';
  let first = true;
  return {
    lock(entry) {
      buffer += (first ? '' : ',') + JSON.stringify(entry);
      first = false;
      if (buffer.length >= CHUNK_CHARS) {
        write(buffer);
        buffer = '';
      }
    },
    end(report) {
      const { version, mode, dryRun, locks, ...rest } = report;
      write(buffer + '],' + JSON.stringify(rest).slice(1) + '\n');
    },
  };
}
