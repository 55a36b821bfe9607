// The published JSON Schema of the --json report (schema/report.v1.json) as a validator: how the
// stress run and the bench check the reports they read, the way monitoring would. (The tests check
// reports against src/report/schema.ts, which the file is generated from.)
import { readFileSync } from 'node:fs';
import { fromJSONSchema } from 'zod';

export const PUBLISHED_REPORT = fromJSONSchema(JSON.parse(readFileSync(new URL('../schema/report.v1.json', import.meta.url), 'utf8')));
