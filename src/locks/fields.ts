// Payload field schemas shared by every lock kind: a value of the wrong type counts as missing.
import { z } from 'zod';

export const pid = z.number().int().positive().max(2 ** 22).optional().catch(undefined);
/** Clock ticks since boot (/proc/<pid>/stat field 22). */
export const ticks = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined);
export const epochMs = z.number().finite().positive().optional().catch(undefined);
export const text = z.string().max(256).optional().catch(undefined);
