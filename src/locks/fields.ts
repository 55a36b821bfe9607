// Payload field readers shared by every lock kind: a value of the wrong type counts as missing.
//
// Plain type checks, not zod/mini. Readers built on zod/mini schemas give the same results and
// cost a 100k-file sweep about 2% (within the bench's noise), but building their schemas adds about
// 2 ms to every start, on top of the Config's zod/mini (both measured A/B on the bundle).
// Each reader is total: any value in, T or undefined out.

/** Reads one payload field: the value when it has the expected type and range, else undefined. */
export type Field<T> = (value: unknown) => T | undefined;

const PID_MAX = 2 ** 22;

/** A positive integer no larger than the kernel's pid limit (2^22). */
export const pid: Field<number> = (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= PID_MAX ? value : undefined);
/** Clock ticks since boot (/proc/<pid>/stat field 22): a non-negative safe integer. */
export const ticks: Field<number> = (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);
/** Epoch milliseconds: a finite positive number. */
export const epochMs: Field<number> = (value) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);
/** A duration in ms: a finite non-negative number. */
export const nonNegativeMs: Field<number> = (value) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);
/** Any finite number. */
export const finite: Field<number> = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
/** Short text: a string of at most 256 UTF-16 code units. */
export const text: Field<string> = (value) => (typeof value === 'string' && value.length <= 256 ? value : undefined);

/** The record without its missing (undefined) fields. */
export function compact<T extends Record<string, unknown>>(record: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const key in record) if (record[key] !== undefined) out[key] = record[key];
  return out as never;
}

/** A JSON object (not null, not an array): what a payload's record must be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
