// The report's JSON Schema is generated from its zod schema and never edited by hand: the committed
// schema/report.v1.json must equal what src/report/schema.ts generates. After a change to the
// report, `npm run schema` rewrites the file.
import { describe, expect, it } from 'vitest';
import { fromJSONSchema } from 'zod';
import * as z from 'zod/mini';
import { REPORT } from '../../src/report/schema.js';
import { LIVE_REASONS, NOTE_REASONS, STALE_REASONS, UNKNOWN_REASONS } from '../../src/verdict/types.js';
import { reportWith } from './report-fixture.js';

const JSON_SCHEMA = z.toJSONSchema(REPORT, { io: 'output' });

describe('the report schema', () => {
  it('is published as schema/report.v1.json, generated from it', async () => {
    await expect(`${JSON.stringify(JSON_SCHEMA, null, 2)}\n`).toMatchFileSnapshot('../../schema/report.v1.json');
  });

  it('as a JSON Schema, read the way monitoring would (a JSON Schema validator), accepts a report and refuses a spoiled one', () => {
    const published = fromJSONSchema(JSON_SCHEMA);
    const report = reportWith(2, { problems: [{ path: '/x', message: 'm' }] });
    expect(published.safeParse(report).error).toBeUndefined();
    report.locks[1]!.action = 'deleted' as never;
    expect(published.safeParse(report).success).toBe(false);
  });

  it('accepts a report, and every reason the verdict can give', () => {
    const reasons = [...LIVE_REASONS, ...STALE_REASONS, ...UNKNOWN_REASONS, ...NOTE_REASONS];
    const report = reportWith(reasons.length);
    report.locks.forEach((lock, index) => (lock.reasons = [reasons[index]!]));
    expect(REPORT.safeParse(report).error).toBeUndefined();
  });

  it.each([
    ['a field it does not declare', (report: Record<string, unknown>) => (report.extra = 1)],
    ['a lock without a verdict', (report: { locks: Record<string, unknown>[] }) => delete report.locks[0]!.verdict],
    ['a reason the verdict never gives', (report: { locks: { reasons: string[] }[] }) => (report.locks[0]!.reasons = ['maybe'])],
    ['another version', (report: Record<string, unknown>) => (report.version = 2)],
  ])('refuses %s', (_, spoil: (report: never) => unknown) => {
    const report = reportWith(1);
    spoil(report as never);
    expect(REPORT.safeParse(report).success).toBe(false);
  });
});
