// Lease rows in OpenClaw's SQLite DBs: read, judge each through the same verdict as lock files,
// and delete only rows whose process owner is proven dead. Rows without a process owner
// (expiry only) and rows that cannot be judged are left to OpenClaw.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedPayload } from '../locks/types.js';
import type { LockEntry } from '../report/types.js';
import { entryOf, judgeLock, notOurs, type LockContext } from '../sweep/entry.js';
import type { VolumeFacts } from '../volume/types.js';
import { isBusy, MAX_ROWS, openLeaseDatabase, type LeaseDatabase, type OpenOutcome, type TableState } from './lease-store.js';
import { agentDatabaseLeaseOf, leasePayloadOf, type AgentDatabaseLeaseRow, type LeaseRow } from './payloads.js';
import { monotonicMs } from '../model/time.js';

export interface Problem {
  path: string;
  message: string;
}

type Table = 'state_leases' | 'agent_database_leases';

/** One judged row and how to compare-and-delete it. */
interface JudgedRow {
  entry: LockEntry;
  remove: (db: LeaseDatabase) => boolean;
}

/** The shared DB must have state_leases; per-agent DBs have it only in some 2026.7 builds. */
export function leaseDatabases(stateDir: string): { path: string; required: Table[] }[] {
  const dbs = [{ path: join(stateDir, 'state', 'openclaw.sqlite'), required: ['state_leases'] as Table[] }];
  for (const agent of directories(join(stateDir, 'agents'))) dbs.push({ path: join(stateDir, 'agents', agent, 'agent', 'openclaw-agent.sqlite'), required: [] });
  return dbs;
}

function directories(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return []; // No agents dir, or unreadable: the lock walk reports unreadable directories.
  }
}

export function sweepLeases(stateDir: string, context: LockContext): { entries: LockEntry[]; problems: Problem[] } {
  const entries: LockEntry[] = [];
  const problems: Problem[] = [];
  for (const { path, required } of leaseDatabases(stateDir)) {
    const outcome = sweepDatabase(path, required, context);
    entries.push(...outcome.entries);
    problems.push(...outcome.problems);
  }
  return { entries, problems };
}

/** Reads of a DB before its rows count as not checked: a writer that came in during one read changes the files the next one sees. */
const READS = 2;

function sweepDatabase(path: string, required: Table[], context: LockContext): { entries: LockEntry[]; problems: Problem[] } {
  for (let attempt = 1; attempt <= READS; attempt++) {
    const opened = openLeaseDatabase(path, context.changes);
    if (opened.status === 'absent') return { entries: [], problems: [] };
    if (opened.status === 'problem') return { entries: [], problems: [{ path, message: opened.message }] };
    const { db } = opened;
    try {
      const read = readDatabase(opened, path, required, context);
      // Rows of a read a writer may have torn are never judged as fact, nor are its errors reported.
      if (!db.readWasConsistent()) continue;
      if (read.busy) return { entries: [read.busy], problems: read.problems };
      return { entries: reclaimRows(db, read.judged, context), problems: read.problems };
    } finally {
      db.close();
    }
  }
  return { entries: [], problems: [{ path, message: `changed while lockguard read it, ${READS} times (a writer is at work); lease rows not checked. Run lockguard again` }] };
}

function readDatabase(
  opened: Extract<OpenOutcome, { status: 'open' }>,
  path: string,
  required: Table[],
  context: LockContext,
): { judged: JudgedRow[]; problems: Problem[]; busy?: LockEntry } {
  const { db, dev } = opened;
  // A DB another process holds open for writing may be another container's: only proofs that hold across
  // namespaces count, and the fate of a row's owner proven through its lock files (correlated evidence).
  const volume: VolumeFacts = opened.openForWrite === 'free' ? context.volume : { ...context.volume, mode: 'shared' };
  const rowContext = { ...context, volume };
  const problems: Problem[] = [];
  const judged: JudgedRow[] = [];
  for (const table of ['state_leases', 'agent_database_leases'] as const) {
    const state = tableState(db, table);
    const problem = tableProblem(table, state, required.includes(table));
    if (problem) problems.push({ path, message: problem });
    if (state.status !== 'ok') continue;
    const read = readTable(db, path, table, rowContext, dev);
    if ('busy' in read) return { judged: [], problems, busy: busyEntry(path, table) };
    if ('message' in read) {
      problems.push({ path, message: read.message });
      continue;
    }
    judged.push(...read.rows);
    if (read.skipped) problems.push({ path, message: `${read.skipped} ${table} rows have non-text keys; left alone` });
    if (read.truncated) problems.push({ path, message: `${table} has more than ${MAX_ROWS} rows, more than any OpenClaw writes; only the first ${MAX_ROWS} were judged, the rest left alone` });
  }
  return { judged, problems };
}

function tableState(db: LeaseDatabase, table: Table): TableState | { status: 'error'; message: string } {
  try {
    return db.table(table);
  } catch (error) {
    return { status: 'error', message: (error as Error).message };
  }
}

function tableProblem(table: Table, state: ReturnType<typeof tableState>, required: boolean): string | undefined {
  switch (state.status) {
    case 'ok':
      return undefined;
    case 'missing':
      return required ? `no ${table} table; its lease rows cannot be checked (a DB from before OpenClaw 2026.7, or not OpenClaw's)` : undefined;
    case 'unexpected':
      return `${table} has columns (${state.columns.join(', ')}) lockguard does not know; rows left alone. Update lockguard for this OpenClaw version`;
    case 'error':
      return `cannot read the schema of ${table} (${state.message}); rows left alone`;
  }
}

type ReadOutcome = { rows: JudgedRow[]; skipped: number; truncated: boolean } | { busy: true } | { message: string };

/** Where and when a table's rows were read, for the host view (sweep/entry.ts). */
interface RowsRead {
  readAtMs: number;
  dev: number;
}

function readTable(db: LeaseDatabase, path: string, table: Table, context: LockContext, dev: number): ReadOutcome {
  try {
    if (table === 'state_leases') {
      const { rows, skipped, truncated } = db.leases();
      const read = { readAtMs: monotonicMs(), dev };
      return { rows: rows.flatMap((row) => judgeLease(path, row, read, context)), skipped, truncated };
    }
    const { rows, skipped, truncated } = db.agentDatabaseLeases();
    const read = { readAtMs: monotonicMs(), dev };
    return { rows: rows.flatMap((row) => judgeAgentLease(path, row, read, context)), skipped, truncated };
  } catch (error) {
    if (isBusy(error)) return { busy: true };
    return { message: `cannot read ${table} (${(error as Error).message}); rows left alone` };
  }
}

function judgeLease(db: string, row: LeaseRow, read: RowsRead, context: LockContext): JudgedRow[] {
  const path = `sqlite:${db}#state_leases/${row.scope}/${row.leaseKey}`;
  const renewed = Math.max(row.updatedAt ?? -Infinity, row.heartbeatAt ?? -Infinity);
  const entry = judgeRow(path, leasePayloadOf(row), Number.isFinite(renewed) ? renewed : undefined, read, context);
  return entry ? [{ entry, remove: (handle) => handle.deleteLease(row) }] : [];
}

function judgeAgentLease(db: string, row: AgentDatabaseLeaseRow, read: RowsRead, context: LockContext): JudgedRow[] {
  const path = `sqlite:${db}#agent_database_leases/${row.agentId}/${row.leaseId}`;
  const entry = judgeRow(path, agentDatabaseLeaseOf(row), undefined, read, context);
  return entry ? [{ entry, remove: (handle) => handle.deleteAgentDatabaseLease(row) }] : [];
}

function judgeRow(path: string, payload: ParsedPayload, renewedMs: number | undefined, read: RowsRead, context: LockContext): LockEntry | undefined {
  if (notOurs(payload, context)) return undefined;
  const times = [payload.createdAtMs, renewedMs];
  // Without a process owner there is nothing to prove dead: expiry is OpenClaw's to enforce.
  if (!payload.ok) {
    const why = payload.problem === 'no-pid' ? 'no process owner (expiry only); left to OpenClaw' : 'payload_json is not a JSON object; left to OpenClaw';
    return { ...entryOf(path, 'openclaw-lease', payload.owner, { verdict: 'unknown', reasons: ['no-owner'] }, times, context), error: why };
  }
  // A row whose owner's lock files were judged in this sweep shares their fate (same-owner.ts).
  const sameOwner = context.owners.fateOf(payload.owner);
  const judgement = judgeLock(payload, { mtimeMs: renewedMs, openForWrite: 'free', recordLock: 'none', ...read, ...(sameOwner ? { sameOwner } : {}) }, context);
  return entryOf(path, 'openclaw-lease', payload.owner, judgement, times, context);
}

/** All stale rows of one DB go in one BEGIN IMMEDIATE; a live writer (SQLITE_BUSY) keeps them all, at once. */
function reclaimRows(db: LeaseDatabase, rows: JudgedRow[], context: LockContext): LockEntry[] {
  const stale = rows.filter((row) => row.entry.verdict === 'stale');
  if (!context.changes || stale.length === 0) return rows.map((row) => row.entry);
  const outcome = db.write(() => stale.map((row) => row.remove(db)));
  const results = new Map<JudgedRow, Partial<LockEntry>>();
  stale.forEach((row, index) => {
    switch (outcome.status) {
      case 'done':
        results.set(row, outcome.value[index] ? { action: 'reclaimed' } : { action: 'kept', error: 'changed since judged (re-acquired or released); kept' });
        break;
      case 'busy':
        results.set(row, { action: 'kept', error: 'database busy: another process is writing it; kept, not waited for' });
        break;
      case 'read-only':
        results.set(row, { action: 'failed', error: 'database is read-only; make it writable for lockguard to remove stale rows' });
        break;
      case 'failed':
        results.set(row, { action: 'failed', error: `cannot delete (${outcome.message})` });
        break;
    }
  });
  return rows.map((row) => ({ ...row.entry, ...results.get(row) }));
}

/** A DB whose writer holds an exclusive lock cannot even be read: report it, keep everything, and do not count it an error. */
function busyEntry(db: string, table: Table): LockEntry {
  return {
    path: `sqlite:${db}#${table}`,
    kind: 'openclaw-lease',
    owner: {},
    verdict: 'unknown',
    reasons: ['probe-failed'],
    action: 'kept',
    error: 'database busy: another process is writing it; rows kept, not waited for',
  };
}

