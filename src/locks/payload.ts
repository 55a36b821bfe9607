// Lock payloads → Owner. Pure, bounded and total: any bytes give a ParsedPayload, never an exception.
// Values of the wrong type are treated as missing, as OpenClaw's own reader does.
import { z } from 'zod';
import { execApprovalsOwnerOf, gatewayOwnerOf, runtimeDepsOwnerOf } from '../openclaw/payloads.js';
import { epochMs, pid, text, ticks } from './fields.js';
import type { LockKind, Owner, ParsedPayload } from './types.js';

const sessionSchema = z.looseObject({
  pid,
  createdAt: text,
  starttime: ticks,
  maxHoldMs: z.number().finite().nonnegative().optional().catch(undefined),
});
const storeSchema = z.looseObject({ pid, startedAt: epochMs });
const genericSchema = z.looseObject({ pid, starttime: ticks, createdAt: text });
const guardSchema = z.looseObject({ pid, starttime: ticks, createdAt: text, bootId: text, pidNsInode: ticks });

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Leftovers of an interrupted reclaim are parsed as the kind of lock they were. */
export type PayloadKind = Exclude<LockKind, 'reclaim-leftover' | 'openclaw-lease'>;

export function parsePayload(kind: PayloadKind, bytes: Uint8Array): ParsedPayload {
  let textValue: string;
  try {
    textValue = decoder.decode(bytes);
  } catch {
    return { ok: false, problem: 'unparseable', owner: {} };
  }
  if (textValue.trim() === '') return { ok: false, problem: 'empty', owner: {} };
  if (kind === 'generic' && /^\s*\d+\s*$/.test(textValue)) return fromOwner(pidOnly(Number(textValue.trim())));

  let json: unknown;
  try {
    // JSON.parse ignores the trailing whitespace-only ownership token OpenClaw may append.
    json = JSON.parse(textValue);
  } catch {
    return { ok: false, problem: 'unparseable', owner: {} };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, problem: 'unparseable', owner: {} };
  return fromOwner(ownerOf(kind, json));
}

function pidOnly(value: number): Owner {
  return Number.isSafeInteger(value) && value > 0 && value <= 2 ** 22 ? { pid: value } : {};
}

function ownerOf(kind: PayloadKind, json: object): Owner {
  switch (kind) {
    case 'openclaw-session': {
      const { pid, createdAt, starttime, maxHoldMs } = sessionSchema.parse(json);
      return compact({ pid, createdAt, starttime, maxHoldMs });
    }
    case 'openclaw-store': {
      const { pid, startedAt } = storeSchema.parse(json);
      return compact({ pid, createdAt: startedAt === undefined ? undefined : isoOrUndefined(startedAt) });
    }
    case 'reclaim-guard': {
      const { pid, starttime, createdAt, bootId, pidNsInode } = guardSchema.parse(json);
      return compact({ pid, starttime, createdAt, bootId, pidNsInode });
    }
    case 'openclaw-gateway':
      return gatewayOwnerOf(json);
    case 'openclaw-exec-approvals':
      return execApprovalsOwnerOf(json);
    case 'openclaw-runtime-deps':
      return runtimeDepsOwnerOf(json);
    case 'generic': {
      const { pid, starttime, createdAt } = genericSchema.parse(json);
      return compact({ pid, starttime, createdAt });
    }
  }
}

function isoOrUndefined(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function compact(owner: Record<string, unknown>): Owner {
  return Object.fromEntries(Object.entries(owner).filter(([, value]) => value !== undefined)) as Owner;
}

function fromOwner(owner: Owner): ParsedPayload {
  const createdAtMs = owner.createdAt === undefined ? undefined : Date.parse(owner.createdAt);
  const time = createdAtMs !== undefined && Number.isFinite(createdAtMs) ? { createdAtMs } : {};
  if (owner.pid === undefined) return { ok: false, problem: 'no-pid', owner, ...time };
  return { ok: true, owner, ...time };
}
