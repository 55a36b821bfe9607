// OpenClaw 2026.7+ ownership records → Owner. Pure and total: wrong types count as missing,
// as OpenClaw's own readers treat them, and nothing here throws.
//
// Units matter for rule zero. A value is used as a start identity only in the unit it is
// proven to be in: `startTime`/`starttime`/`owner_start_time` are /proc/<pid>/stat ticks
// (OpenClaw's getProcessStartTime), and a field named "…Ms" is used only when it is a
// plausible epoch-ms value. Anything else is dropped, which can only make a verdict weaker.
import { z } from 'zod';
import { pid, text, ticks } from '../locks/fields.js';
import type { Owner, ParsedPayload } from '../locks/types.js';

const finite = z.number().finite().optional().catch(undefined);
const anyValue = z.unknown().optional();

/** Epoch ms before 2001-09-09 (1e12) is no wall-clock time OpenClaw writes: such a value is ticks or seconds. */
const EPOCH_MS_FLOOR = 1e12;
/** boot_id is a UUID; any other "identity" (Darwin's kern.boottime) is not comparable with ours. */
const BOOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const processNamespaceSchema = z.looseObject({
  host: text,
  platform: text,
  identity: text,
  pidNsInode: anyValue,
  pidNamespace: anyValue,
  boot: z.looseObject({ platform: text, identity: text }).optional().catch(undefined),
});

const gatewaySchema = z.looseObject({ pid, createdAt: text, startTime: ticks, processNamespace: anyValue });
const execApprovalsSchema = z.looseObject({ pid, createdAt: text, starttime: ticks });
const runtimeDepsSchema = z.looseObject({ pid, createdAtMs: finite, pidStartTimeMs: finite, starttime: ticks, startedAt: anyValue });
const sessionLeaseSchema = z.looseObject({ pid, starttime: ticks, maxHoldMs: z.number().finite().nonnegative().optional().catch(undefined) });
const leaseOwnerSchema = z.looseObject({ pid, host: text, startedAt: anyValue, starttime: ticks, processNamespace: anyValue });

/** What `processNamespace` says about the writer: boot id, pid-namespace inode and host. Both shapes OpenClaw writes. */
export function processNamespaceOf(value: unknown): Pick<Owner, 'bootId' | 'pidNsInode' | 'host'> {
  const parsed = processNamespaceSchema.safeParse(value);
  if (!parsed.success) return {};
  const ns = parsed.data;
  // Shape 1: {host, boot: {platform, identity}, pidNamespace}; shape 2: {host, platform, identity, pidNsInode}.
  const platform = ns.boot?.platform ?? ns.platform;
  const identity = ns.boot?.identity ?? ns.identity;
  const bootId = (platform === undefined || platform === 'linux') && identity !== undefined && BOOT_ID.test(identity) ? identity.toLowerCase() : undefined;
  return compact({ bootId, pidNsInode: inodeOf(ns.pidNsInode ?? ns.pidNamespace), host: ns.host });
}

/** `pid:[4026532180]`, "4026532180" or 4026532180 → 4026532180. */
function inodeOf(value: unknown): number | undefined {
  const digits = typeof value === 'number' ? String(value) : typeof value === 'string' ? /^(?:pid:\[)?(\d{1,16})\]?$/.exec(value.trim())?.[1] : undefined;
  const inode = digits === undefined ? NaN : Number(digits);
  return Number.isSafeInteger(inode) && inode > 0 ? inode : undefined;
}

/** gateway.state.lock / gateway.<hash>.lock: {pid, createdAt, configPath, startTime?, processNamespace?, …}. */
export function gatewayOwnerOf(json: object): Owner {
  const { pid, createdAt, startTime, processNamespace } = gatewaySchema.parse(json);
  return compact({ pid, createdAt, starttime: startTime, ...processNamespaceOf(processNamespace) });
}

/** exec-approvals.json.lock: {pid, createdAt, starttime}. */
export function execApprovalsOwnerOf(json: object): Owner {
  const { pid, createdAt, starttime } = execApprovalsSchema.parse(json);
  return compact({ pid, createdAt, starttime });
}

/** owner.json of .openclaw-runtime-deps.lock {pid, createdAtMs, pidStartTimeMs?, starttime?} or .openclaw-runtime-mirror.lock {pid, startedAt}. */
export function runtimeDepsOwnerOf(json: object): Owner {
  const { pid, createdAtMs, pidStartTimeMs, starttime, startedAt } = runtimeDepsSchema.parse(json);
  return compact({
    pid,
    starttime,
    processStartMs: epochMsOrUndefined(pidStartTimeMs),
    // startedAt is when the mirror lock was taken (or, at worst, when its owner started: earlier, never later).
    createdAt: isoOf(epochMsOrUndefined(createdAtMs) ?? timeOf(startedAt)),
  });
}

/** A state_leases row, as far as its owner is concerned. Times are epoch ms. */
export interface LeaseRow {
  scope: string;
  leaseKey: string;
  owner: string;
  payloadJson: string | null;
  createdAt: number | null;
  updatedAt: number | null;
  heartbeatAt: number | null;
  expiresAt: number | null;
}

/**
 * state_leases.payload_json → the process that holds the row. Two shapes carry one:
 * session-write rows {pid, starttime?, maxHoldMs?}, and generic leases {owner: {pid, host, startedAt, processNamespace?}}.
 * A row without either (expiry only) has no process owner: 'no-pid', left to OpenClaw.
 */
export function leasePayloadOf(row: Pick<LeaseRow, 'payloadJson' | 'createdAt'>): ParsedPayload {
  const rowCreatedMs = epochMsOrUndefined(row.createdAt ?? undefined);
  if (row.payloadJson === null || row.payloadJson.trim() === '') return withTime({ ok: false, problem: 'empty', owner: {} }, rowCreatedMs);
  let json: unknown;
  try {
    json = JSON.parse(row.payloadJson);
  } catch {
    return withTime({ ok: false, problem: 'unparseable', owner: {} }, rowCreatedMs);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return withTime({ ok: false, problem: 'unparseable', owner: {} }, rowCreatedMs);
  const owner = leaseOwnerOf(json, rowCreatedMs);
  const createdAtMs = owner.createdAt === undefined ? undefined : Date.parse(owner.createdAt);
  return withTime(owner.pid === undefined ? { ok: false, problem: 'no-pid', owner } : { ok: true, owner }, createdAtMs);
}

/** The row's created_at is when the hold began; a nested owner's startedAt stands in only when the row has none. */
function leaseOwnerOf(json: object, rowCreatedMs: number | undefined): Owner {
  const nested = 'owner' in json && typeof json.owner === 'object' && json.owner !== null ? leaseOwnerSchema.parse(json.owner) : undefined;
  if (nested && nested.pid !== undefined) {
    return compact({
      pid: nested.pid,
      starttime: nested.starttime,
      host: nested.host,
      createdAt: isoOf(rowCreatedMs ?? timeOf(nested.startedAt)),
      ...processNamespaceOf(nested.processNamespace),
    });
  }
  const { pid, starttime, maxHoldMs } = sessionLeaseSchema.parse(json);
  return compact({ pid, starttime, maxHoldMs, createdAt: isoOf(rowCreatedMs) });
}

/** An agent_database_leases row: owner_pid, owner_start_time (ticks, or epoch ms in some builds) and opened_at. */
export interface AgentDatabaseLeaseRow {
  leaseId: string;
  agentId: string;
  path: string | null;
  ownerPid: number | null;
  ownerStartTime: number | null;
  openedAt: number | null;
}

export function agentDatabaseLeaseOf(row: AgentDatabaseLeaseRow): ParsedPayload {
  const createdAtMs = epochMsOrUndefined(row.openedAt ?? undefined);
  const start = row.ownerStartTime ?? undefined;
  const owner = compact({
    pid: pid.parse(row.ownerPid ?? undefined),
    // Ticks since boot stay far below 1e12 (that is 300 years at 100 Hz); epoch ms are above it.
    starttime: start !== undefined && start < EPOCH_MS_FLOOR ? ticks.parse(start) : undefined,
    processStartMs: epochMsOrUndefined(start),
    createdAt: isoOf(createdAtMs),
  });
  return withTime(owner.pid === undefined ? { ok: false, problem: 'no-pid', owner } : { ok: true, owner }, createdAtMs);
}

function withTime(payload: ParsedPayload, createdAtMs: number | undefined): ParsedPayload {
  return createdAtMs === undefined || !Number.isFinite(createdAtMs) ? payload : { ...payload, createdAtMs };
}

function epochMsOrUndefined(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= EPOCH_MS_FLOOR && value < 1e14 ? value : undefined;
}

/** Epoch ms (number) or ISO text → epoch ms. */
function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return epochMsOrUndefined(value);
  if (typeof value === 'string' && value.length <= 64) return epochMsOrUndefined(Date.parse(value));
  return undefined;
}

function isoOf(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function compact<T extends Record<string, unknown>>(owner: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(owner).filter(([, value]) => value !== undefined)) as never;
}
