// The `--json` report (docs/design.md, "The report"). Field names are a public contract: version 1.
// The types are the schema's (schema.ts), the one definition of the report.
import type * as z from 'zod/mini';
import type { ACTION, LOCK_ENTRY, REPORT, SUMMARY } from './schema.js';

export type Action = z.output<typeof ACTION>;
export type LockEntry = z.output<typeof LOCK_ENTRY>;
export type Summary = z.output<typeof SUMMARY>;
export type Report = z.output<typeof REPORT>;
export type VolumeEntry = Report['volumes'][number];
