// Looking things up in a lockguard --json report.
import { readFileSync } from 'node:fs';
import type { LockEntry, Report } from '../../src/report/types.js';
import { parseReport } from './run.js';

/** The report's entry for `path`; throws (listing what the report has) when there is none. */
export function entryFor(report: Report, path: string): LockEntry {
  const entry = report.locks.find((lock) => lock.path === path);
  if (!entry) throw new Error(`no report entry for ${path}; the report has: ${report.locks.map((lock) => lock.path).join(', ') || '(none)'}`);
  return entry;
}

/** Verdict, reasons and action of one entry, for compact assertions. */
export function judgedAs(report: Report, path: string): Pick<LockEntry, 'verdict' | 'reasons' | 'action'> {
  const { verdict, reasons, action } = entryFor(report, path);
  return { verdict, reasons, action };
}

/** A report a script saved with `lockguard sweep --json > FILE`. */
export function readReport(file: string): Report {
  return parseReport(readFileSync(file, 'utf8'));
}
