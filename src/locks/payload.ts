// Lock payloads → Owner. Pure, bounded and total: any bytes give a ParsedPayload, never an exception.
// Values of the wrong type are treated as missing, as OpenClaw's own reader does. What each OpenClaw
// kind's payload holds is openclaw/payloads.ts's to know; here are the generic kinds and lockguard's guards.
import { openclawOwnerOf } from '../openclaw/payloads.js';
import { compact, pid, text, ticks } from './fields.js';
import type { LockKind, Owner, ParsedPayload } from './types.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Leftovers of an interrupted reclaim are parsed as the kind of lock they were; lease rows are no files. */
export type PayloadKind = Exclude<LockKind, 'reclaim-leftover' | 'openclaw-lease'>;

export function parsePayload(kind: PayloadKind, bytes: Uint8Array): ParsedPayload {
  let textValue: string;
  try {
    textValue = decoder.decode(bytes);
  } catch {
    return { ok: false, problem: 'unparseable', owner: {} };
  }
  if (textValue.trim() === '') return { ok: false, problem: 'empty', owner: {} };
  // A pidfile: the bare number, as `echo $$ > file` writes it.
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
    case 'generic':
      return compact({ pid: pid(json.pid), starttime: ticks(json.starttime), createdAt: text(json.createdAt) });
    case 'reclaim-guard':
      // lockguard's own guards (reclaim/guard.ts): who took it, on which boot, in which PID namespace.
      return compact({ pid: pid(json.pid), starttime: ticks(json.starttime), createdAt: text(json.createdAt), bootId: text(json.bootId), pidNsInode: ticks(json.pidNsInode) });
    default:
      return openclawOwnerOf(kind, json);
  }
}

function fromOwner(owner: Owner): ParsedPayload {
  const createdAtMs = owner.createdAt === undefined ? undefined : Date.parse(owner.createdAt);
  const time = createdAtMs !== undefined && Number.isFinite(createdAtMs) ? { createdAtMs } : {};
  if (owner.pid === undefined) return { ok: false, problem: 'no-pid', owner, ...time };
  return { ok: true, owner, ...time };
}
