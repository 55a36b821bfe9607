// Reading a lockguard --json report, always checked against the report's schema, and looking things up in it.
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import type { Ran } from '../../harness/run.js';
import { REPORT } from '../../src/report/schema.js';
import type { LockEntry, Report } from '../../src/report/types.js';

/** The one JSON report a `--json` run prints on stdout, validated against the report's schema (src/report/schema.ts). */
export function parseReport(stdout: string, context?: Partial<Ran>): Report {
  const got = `(exit ${context?.code}, signal ${context?.signal}); stdout: ${stdout}\nstderr: ${context?.stderr ?? ''}`;
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new Error(`no JSON report on stdout ${got}`);
  }
  const parsed = REPORT.safeParse(json);
  if (!parsed.success) throw new Error(`the report does not match its schema:\n${z.prettifyError(parsed.error)}\n${got}`);
  return parsed.data;
}

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
