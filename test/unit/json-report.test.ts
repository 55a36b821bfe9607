import { expect, it } from 'vitest';
import { writeJsonReport } from '../../src/report/json.js';
import { parseReport } from '../helpers/sweep-report.js';
import { reportWith } from './report-fixture.js';

it.each([0, 1, 3_000])('writes exactly JSON.stringify of the report, in pieces (%i locks)', (count) => {
  const report = reportWith(count, count ? { problems: [{ path: '/x', message: 'm' }], interrupted: 'SIGTERM' } : {});
  const pieces: string[] = [];
  writeJsonReport(report, (text) => pieces.push(text));
  expect(pieces.join('')).toBe(JSON.stringify(report) + '\n');
  expect(parseReport(pieces.join(''))).toEqual(report);
  if (count === 3_000) expect(pieces.length).toBeGreaterThan(1);
});
