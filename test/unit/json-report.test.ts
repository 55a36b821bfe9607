import { expect, it } from 'vitest';
import { jsonReportWriter } from '../../src/report/json.js';
import { parseReport } from '../helpers/sweep-report.js';
import { reportWith } from './report-fixture.js';

it.each([0, 1, 3_000])('writes exactly JSON.stringify of the report, its locks first, in pieces (%i locks)', (count) => {
  const report = reportWith(count, count ? { problems: [{ path: '/x', message: 'm' }], interrupted: 'SIGTERM' } : {});
  const pieces: string[] = [];
  const writer = jsonReportWriter(report, (text) => pieces.push(text));
  for (const entry of report.locks) writer.lock(entry);
  writer.end(report);
  const { version, mode, dryRun, locks, ...rest } = report;
  expect(pieces.join('')).toBe(JSON.stringify({ version, mode, dryRun, locks, ...rest }) + '\n');
  expect(parseReport(pieces.join(''))).toEqual(report);
  if (count === 3_000) expect(pieces.length).toBeGreaterThan(1);
});

it('writes the locks as they come, before the sweep is done: the report is never whole in memory', () => {
  const report = reportWith(3_000);
  const pieces: string[] = [];
  const writer = jsonReportWriter(report, (text) => pieces.push(text));
  report.locks.forEach((entry) => writer.lock(entry));
  const beforeEnd = pieces.length;
  expect(beforeEnd).toBeGreaterThan(1);
  writer.end({ ...report, locks: [] });
  expect(pieces.length).toBe(beforeEnd + 1);
  expect(parseReport(pieces.join(''))).toEqual(report);
});
