// Lock payloads → Owner. Pure, bounded and total: any bytes give a ParsedPayload, never an exception.
// Values of the wrong type are treated as missing, as OpenClaw's own reader does.
import { execApprovalsOwnerOf, gatewayOwnerOf, runtimeDepsOwnerOf } from '../openclaw/payloads.js';
import { compact, epochMs, nonNegativeMs, pid, text, ticks } from './fields.js';
import type { LockKind, Owner, ParsedPayload } from './types.js';

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
  if (kind === 'generic' && /^\s*\d+\s*$/.test(textValue)) return fromOwner(compact({ pid: pid(Number(textValue)) }));

  let json: unknown;
  try {
    // JSON.parse ignores the trailing whitespace-only ownership token OpenClaw may append.
    json = JSON.parse(textValue);
  } catch {
    return { ok: false, problem: 'unparseable', owner: {} };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, problem: 'unparseable', owner: {} };
  return fromOwner(ownerOf(kind, json as Record<string, unknown>));
}

function ownerOf(kind: PayloadKind, json: Record<string, unknown>): Owner {
  switch (kind) {
    case 'openclaw-session':
      return compact({ pid: pid(json.pid), createdAt: text(json.createdAt), starttime: ticks(json.starttime), maxHoldMs: nonNegativeMs(json.maxHoldMs) });
    case 'openclaw-store': {
      const startedAt = epochMs(json.startedAt);
      return compact({ pid: pid(json.pid), createdAt: startedAt === undefined ? undefined : isoOrUndefined(startedAt) });
    }
    case 'reclaim-guard':
      return compact({ pid: pid(json.pid), starttime: ticks(json.starttime), createdAt: text(json.createdAt), bootId: text(json.bootId), pidNsInode: ticks(json.pidNsInode) });
    case 'openclaw-gateway':
      return gatewayOwnerOf(json);
    case 'openclaw-exec-approvals':
      return execApprovalsOwnerOf(json);
    case 'openclaw-runtime-deps':
      return runtimeDepsOwnerOf(json);
    case 'generic':
      return compact({ pid: pid(json.pid), starttime: ticks(json.starttime), createdAt: text(json.createdAt) });
  }
}

function isoOrUndefined(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function fromOwner(owner: Owner): ParsedPayload {
  const createdAtMs = owner.createdAt === undefined ? undefined : Date.parse(owner.createdAt);
  const time = createdAtMs !== undefined && Number.isFinite(createdAtMs) ? { createdAtMs } : {};
  if (owner.pid === undefined) return { ok: false, problem: 'no-pid', owner, ...time };
  return { ok: true, owner, ...time };
}
