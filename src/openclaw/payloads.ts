// OpenClaw's ownership records → Owner: lock payloads of every OpenClaw kind, and lease rows.
// Pure and total: wrong types count as missing, as OpenClaw's own readers treat them, and nothing here throws.
//
// Units matter for rule zero. A process start is read by processStartOf (ticks or epoch ms, by
// magnitude), a wall-clock time only when it is a plausible epoch-ms value or ISO text, and a field
// named "…Ms" only when it is a plausible epoch-ms value. Anything else is dropped, which can only
// make a verdict weaker.
import { compact, epochMs, finite, isRecord, nonNegativeMs, pid, text, ticks } from '../locks/fields.js';
import type { Owner, ParsedPayload } from '../locks/types.js';
import type { OpenClawFileKind } from './kinds.js';

/** Epoch ms before 2001-09-09 (1e12) is no wall-clock time OpenClaw writes: such a value is ticks or seconds. */
const EPOCH_MS_FLOOR = 1e12;

/**
 * A process's start as OpenClaw records it (getFileLockProcessStartTime, 2026.5 on): a gateway lock's
 * startTime, an fs-safe lock's starttime, a lease owner's startedAt, owner_start_time. Its unit is the
 * writer's platform's: /proc/<pid>/stat field 22 in clock ticks since boot on Linux, epoch ms on
 * Windows, epoch seconds on macOS, µs since boot on FreeBSD, and no record names its platform. So
 * magnitude decides: an integer below 1e12 is ticks (1e12 ticks is 300 years at 100 Hz), a value from
 * 1e12 (2001 in epoch ms) up is epoch ms; anything else is dropped.
 *
 * A macOS or FreeBSD value read as ticks costs nothing: ticks are only compared for equality with a
 * process of this kernel (live-pid, the post-exit child, the same owner across records) or judged in
 * our own namespace (recycled-pid), where every writer is a Linux process.
 */
export function processStartOf(value: unknown): Pick<Owner, 'starttime' | 'processStartMs'> {
  const ms = epochMsOrUndefined(finite(value));
  if (ms !== undefined) return { processStartMs: ms };
  const starttime = ticks(value);
  return starttime !== undefined && starttime < EPOCH_MS_FLOOR ? { starttime } : {};
}
/** boot_id is a UUID; any other "identity" (Darwin's kern.boottime) is not comparable with ours. */
const BOOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The owner a lock file of an OpenClaw kind names, from its JSON payload. */
export function openclawOwnerOf(kind: OpenClawFileKind, json: Record<string, unknown>): Owner {
  switch (kind) {
    case 'openclaw-session':
      return sessionOwnerOf(json);
    case 'openclaw-store':
      return storeOwnerOf(json);
    case 'openclaw-gateway':
      return gatewayOwnerOf(json);
    case 'openclaw-sidecar':
    case 'openclaw-exec-approvals':
      return fileLockOwnerOf(json);
    case 'openclaw-runtime-deps':
      return runtimeDepsOwnerOf(json);
  }
}

/** <session>.jsonl.lock (legacy): {pid, createdAt (ISO), starttime?, maxHoldMs?}, maybe followed by a whitespace ownership token. */
function sessionOwnerOf(json: Record<string, unknown>): Owner {
  return compact({ pid: pid(json.pid), createdAt: text(json.createdAt), ...processStartOf(json.starttime), maxHoldMs: nonNegativeMs(json.maxHoldMs) });
}

/** sessions.json.lock (legacy): {pid, startedAt (epoch ms)}. */
function storeOwnerOf(json: Record<string, unknown>): Owner {
  return compact({ pid: pid(json.pid), createdAt: isoOf(epochMs(json.startedAt)) });
}

/** What `processNamespace` says about the writer: boot id, pid-namespace inode and host. Both shapes OpenClaw writes. */
export function processNamespaceOf(value: unknown): Pick<Owner, 'bootId' | 'pidNsInode' | 'host'> {
  if (!isRecord(value)) return {};
  const boot = isRecord(value.boot) ? { platform: text(value.boot.platform), identity: text(value.boot.identity) } : undefined;
  // Shape 1: {host, boot: {platform, identity}, pidNamespace}; shape 2: {host, platform, identity, pidNsInode}.
  const platform = boot?.platform ?? text(value.platform);
  const identity = boot?.identity ?? text(value.identity);
  const bootId = (platform === undefined || platform === 'linux') && identity !== undefined && BOOT_ID.test(identity) ? identity.toLowerCase() : undefined;
  return compact({ bootId, pidNsInode: inodeOf(value.pidNsInode ?? value.pidNamespace), host: text(value.host) });
}

/** `pid:[4026532180]`, "4026532180" or 4026532180 → 4026532180. */
function inodeOf(value: unknown): number | undefined {
  const digits = typeof value === 'number' ? String(value) : typeof value === 'string' ? /^(?:pid:\[)?(\d{1,16})\]?$/.exec(value.trim())?.[1] : undefined;
  const inode = digits === undefined ? NaN : Number(digits);
  return Number.isSafeInteger(inode) && inode > 0 ? inode : undefined;
}

/**
 * gateway.state.lock / gateway.<hash>.lock (2026.8 on): {pid, ownerId, createdAt, configPath, stateDir, port?, role?,
 * startTime?, …}. ownerId names the acquisition: the gateway-owner row of a serving gateway carries it as its owner.
 */
export function gatewayOwnerOf(json: Record<string, unknown>): Owner {
  return compact({ pid: pid(json.pid), ownerId: text(json.ownerId), createdAt: text(json.createdAt), ...processStartOf(json.startTime), ...processNamespaceOf(json.processNamespace) });
}

/**
 * {pid, createdAt, starttime?}: an fs-safe sidecar lock (openclaw/plugin-sdk/file-lock, 2026.9; some callers
 * add fields) and exec-approvals.json.lock.
 */
export function fileLockOwnerOf(json: Record<string, unknown>): Owner {
  return compact({ pid: pid(json.pid), createdAt: text(json.createdAt), ...processStartOf(json.starttime) });
}

/** owner.json of .openclaw-runtime-deps.lock {pid, createdAtMs, pidStartTimeMs?, starttime?} or .openclaw-runtime-mirror.lock {pid, startedAt}. */
export function runtimeDepsOwnerOf(json: Record<string, unknown>): Owner {
  return compact({
    pid: pid(json.pid),
    starttime: ticks(json.starttime),
    processStartMs: epochMsOrUndefined(finite(json.pidStartTimeMs)),
    // startedAt is when the mirror lock was taken (or, at worst, when its owner started: earlier, never later).
    createdAt: isoOf(epochMsOrUndefined(finite(json.createdAtMs)) ?? timeOf(json.startedAt)),
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
 * state_leases.payload_json → the process that holds the row. Two shapes carry one: process-owned
 * leases {owner: {pid, host, startedAt}, …} (2026.9: gateway-owner, startup-migrations), and
 * session-write rows {pid, starttime?, maxHoldMs?}. A row without either (expiry only) has no process
 * owner: 'no-pid', left to OpenClaw. The row's owner column is its token (ownerId).
 */
export function leasePayloadOf(row: Pick<LeaseRow, 'payloadJson' | 'createdAt' | 'owner'>): ParsedPayload {
  const rowCreatedMs = epochMsOrUndefined(row.createdAt ?? undefined);
  if (row.payloadJson === null || row.payloadJson.trim() === '') return withTime({ ok: false, problem: 'empty', owner: {} }, rowCreatedMs);
  let json: unknown;
  try {
    json = JSON.parse(row.payloadJson);
  } catch {
    return withTime({ ok: false, problem: 'unparseable', owner: {} }, rowCreatedMs);
  }
  if (!isRecord(json)) return withTime({ ok: false, problem: 'unparseable', owner: {} }, rowCreatedMs);
  const owner = { ...leaseOwnerOf(json), ...compact({ ownerId: text(row.owner), createdAt: isoOf(rowCreatedMs) }) };
  return withTime(owner.pid === undefined ? { ok: false, problem: 'no-pid', owner } : { ok: true, owner }, rowCreatedMs);
}

/**
 * The process a row's payload names. A process owner's startedAt is its start (processStartOf: ticks on
 * Linux), never when the hold began: that is the row's created_at.
 */
function leaseOwnerOf(json: Record<string, unknown>): Owner {
  // An `owner` that is no object (an array, a token string) names no process: the row is read as a session-write row.
  const nested = isRecord(json.owner) ? json.owner : undefined;
  const nestedPid = nested && pid(nested.pid);
  if (nested && nestedPid !== undefined) {
    return compact({ pid: nestedPid, ...processStartOf(nested.startedAt), host: text(nested.host), ...processNamespaceOf(nested.processNamespace) });
  }
  return compact({ pid: pid(json.pid), ...processStartOf(json.starttime), maxHoldMs: nonNegativeMs(json.maxHoldMs) });
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
  const owner = compact({ pid: pid(row.ownerPid), ...processStartOf(row.ownerStartTime), createdAt: isoOf(createdAtMs) });
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

/** ISO text of epoch ms; undefined for a time no Date can hold (beyond ±8.64e15 ms). */
function isoOf(ms: number | undefined): string | undefined {
  const date = ms === undefined ? undefined : new Date(ms);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
