// OpenClaw's SQLite state DBs, seen only through node:sqlite (no dependency). Existing DBs only:
// a missing file is never created, and no schema is touched. Rows are read without changing
// anything beside the DB (see readPlan); the sweep deletes in one BEGIN IMMEDIATE with busy_timeout 0
// on a read-write connection opened only then, so a live writer means "busy", never a wait.
import { closeSync, constants, lstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { headOf } from '../kernel/file-head.js';
import { openForWriteOf } from '../locks/read.js';
import type { AgentDatabaseLeaseRow, LeaseRow } from './payloads.js';

/** How lockguard opens the DB and its companions: never through a symlink, never waiting on a lease. */
const NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** The database header: page 1's first 100 bytes. */
const DB_HEADER_SIZE = 100;
/** A WAL file's header; frames, the only content that matters, come after it. */
const WAL_HEADER_SIZE = 32;
/** Primary result codes (the low byte of extended codes). */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
/** Lease tables hold a handful of rows; a table far bigger than this is not one lockguard understands. */
export const MAX_ROWS = 10_000;

export const STATE_LEASES_COLUMNS = ['scope', 'lease_key', 'owner', 'expires_at', 'heartbeat_at', 'payload_json', 'created_at', 'updated_at'] as const;
export const AGENT_DATABASE_LEASES_COLUMNS = ['lease_id', 'agent_id', 'path', 'owner_pid', 'owner_start_time', 'opened_at'] as const;

export type TableState = { status: 'ok' } | { status: 'missing' } | { status: 'unexpected'; columns: string[] };

export type OpenOutcome =
  | { status: 'absent' }
  | { status: 'problem'; message: string }
  | {
      status: 'open';
      db: LeaseDatabase;
      /** Someone (any namespace) holds the DB file open for writing: its rows are judged as on a shared volume. */
      openForWrite: 'held-open' | 'free' | 'unknown';
      /** The DB file's device: one on another filesystem than the state dir's gets no host view. */
      dev: number;
    };

export type WriteOutcome<T> = { status: 'done'; value: T } | { status: 'busy' } | { status: 'read-only' } | { status: 'failed'; message: string };

/**
 * How to read a DB without creating, writing or locking anything a writer waits for. `before`:
 * what must be the same after the read for it to count (see LeaseDatabase.readWasConsistent).
 * - `immutable`: no WAL frames beside it, so the file alone is the DB. SQLite reads it as a file
 *   that cannot change: no lock, no companion file. Nothing holds a writer off meanwhile, so the
 *   file and its companions are compared before and after (fileState).
 * - `read-only-shm`: a `-wal` with its `-shm`, as a live connection or a killed one leaves them.
 *   SQLite's read-only WAL protocol reads both and writes neither (`readonly_shm`): it maps the
 *   `-shm` read-only, takes shared locks only, and where no live connection vouches for the
 *   `-shm`, rebuilds the index from the `-wal` in its own memory, holding off checkpoints. Its
 *   locking makes the read consistent; it fails only if the last connection removed both files
 *   before SQLite opened them (companionIds).
 * - Otherwise reading means writing: WAL frames without a `-shm` (one must be built), or a hot
 *   rollback journal (it must be played back). A sweep reads with its read-write connection, as
 *   OpenClaw's next open would; inspect and dry runs leave the DB unchecked.
 */
type ReadPlan = { how: 'immutable' | 'read-only-shm'; before: string } | { how: 'write'; why: string };

/** Opens an existing OpenClaw DB for reading its rows. `write`: the sweep, which may write to read (see ReadPlan) and then delete. */
export function openLeaseDatabase(path: string, write: boolean): OpenOutcome {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return { status: 'absent' };
  if (!stat.isFile()) return { status: 'problem', message: 'not a regular file; lease rows not checked' };
  const checked = checkFile(path);
  if ('message' in checked) return { status: 'problem', message: checked.message };

  const sqlite = loadSqlite();
  if ('message' in sqlite) return { status: 'problem', message: sqlite.message };
  const plan = readPlan(path);
  if (plan.how === 'write' && !write) {
    return { status: 'problem', message: `${plan.why}: reading it would write it; lease rows not checked. OpenClaw's next open recovers it, and so does a sweep without --dry-run` };
  }
  let db: LeaseDatabase;
  try {
    db = new LeaseDatabase(path, sqlite, plan);
  } catch (error) {
    return { status: 'problem', message: `cannot open (${sqliteMessage(error)}); lease rows not checked` };
  }
  return { status: 'open', db, openForWrite: checked.openForWrite, dev: stat.dev };
}

function readPlan(path: string): ReadPlan {
  const wal = lstatSync(`${path}-wal`, { throwIfNoEntry: false });
  if (wal && lstatSync(`${path}-shm`, { throwIfNoEntry: false })) return { how: 'read-only-shm', before: companionIds(path) };
  if (wal && wal.size > WAL_HEADER_SIZE) return { how: 'write', why: 'its -wal has no -shm beside it' };
  if (hotJournal(path)) return { how: 'write', why: 'its rollback journal is hot (a commit in progress, or one interrupted)' };
  return { how: 'immutable', before: fileState(path) };
}

/** SQLite's test: a journal is hot when its header is not zeroed (the commit synced it, and did not finish). */
function hotJournal(path: string): boolean {
  return (headOf(`${path}-journal`, 1, NO_FOLLOW)?.[0] ?? 0) !== 0;
}

/**
 * What a writer changes: the DB file (inode, size, times to the ns: a write after this look
 * gets a newer time), its header (a rollback-journal commit bumps its change counter), and which
 * companions exist and how big they are.
 */
function fileState(path: string): string {
  const facts = [path, `${path}-wal`, `${path}-shm`, `${path}-journal`].map((file) => {
    const stat = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    return stat ? `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}` : '-';
  });
  return [...facts, headOf(path, DB_HEADER_SIZE, NO_FOLLOW)?.toString('hex') ?? '-', hotJournal(path)].join(' ');
}

/** Which -wal and -shm are there: a live WAL connection keeps both, and the last one to close removes both. */
function companionIds(path: string): string {
  return [`${path}-wal`, `${path}-shm`].map((file) => lstatSync(file, { throwIfNoEntry: false })?.ino ?? '-').join(' ');
}

/**
 * Header check and the held-open probe, on a plain fd that is closed before SQLite opens the
 * file: closing any fd of a file drops this process's POSIX locks on it, SQLite's included.
 */
function checkFile(path: string): { openForWrite: 'held-open' | 'free' | 'unknown' } | { message: string } {
  let fd: number;
  try {
    fd = openSync(path, NO_FOLLOW);
  } catch (error) {
    return { message: `cannot read (${(error as NodeJS.ErrnoException).code}); lease rows not checked` };
  }
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, header, 0, header.length, 0);
    if (read < header.length || !header.equals(SQLITE_HEADER)) {
      return { message: 'not a SQLite database (no "SQLite format 3" header); lease rows not checked. If it is not OpenClaw\'s, move it out of the state dir' };
    }
    return { openForWrite: openForWriteOf(fd) };
  } finally {
    closeSync(fd);
  }
}

type SqliteModule = typeof import('node:sqlite');
let sqliteModule: SqliteModule | undefined;

/** node:sqlite is unflagged from Node 22.13 and 23.4; older 22.x need --experimental-sqlite. Loaded only when a DB exists. */
function loadSqlite(): SqliteModule | { message: string } {
  if (sqliteModule) return sqliteModule;
  try {
    sqliteModule = createRequire(import.meta.url)('node:sqlite') as SqliteModule;
    return sqliteModule;
  } catch {
    return { message: `node:sqlite is not available in Node ${process.version}; lease rows not checked. Use Node 22.13+ (23.4+, 24), or start Node with --experimental-sqlite` };
  }
}

/** SQLite connections to one DB: the reading one (see ReadPlan), and for a sweep's delete the read-write one that replaces it. */
export class LeaseDatabase {
  private db: DatabaseSync;
  private writable: boolean;

  constructor(
    private readonly path: string,
    private readonly sqlite: SqliteModule,
    private readonly plan: ReadPlan,
  ) {
    // mode=ro|rw in a file: URI fails on a missing file instead of creating one.
    const query = plan.how === 'immutable' ? 'mode=ro&immutable=1' : plan.how === 'read-only-shm' ? 'mode=ro&readonly_shm=1' : 'mode=rw';
    this.db = this.connect(query);
    this.writable = plan.how === 'write';
  }

  /** Whether the rows read are the DB as it was at one instant, as far as the plan's `before` tells (see ReadPlan). */
  readWasConsistent(): boolean {
    switch (this.plan.how) {
      case 'immutable':
        return fileState(this.path) === this.plan.before;
      case 'read-only-shm':
        return companionIds(this.path) === this.plan.before;
      case 'write':
        return true;
    }
  }

  /** Whether a table exists with exactly the columns lockguard knows: anything else is left alone. */
  table(name: 'state_leases' | 'agent_database_leases'): TableState {
    const expected: readonly string[] = name === 'state_leases' ? STATE_LEASES_COLUMNS : AGENT_DATABASE_LEASES_COLUMNS;
    const columns = (this.db.prepare(`SELECT name FROM pragma_table_info('${name}')`).all() as { name: unknown }[]).map((row) => String(row.name));
    if (columns.length === 0) return { status: 'missing' };
    const same = columns.length === expected.length && expected.every((column) => columns.includes(column));
    return same ? { status: 'ok' } : { status: 'unexpected', columns };
  }

  /** state_leases rows; rows whose key columns are not text are counted, not returned (they cannot be compared). */
  leases(): { rows: LeaseRow[]; skipped: number; truncated: boolean } {
    const raw = this.all(`SELECT scope, lease_key, owner, payload_json, created_at, updated_at, heartbeat_at, expires_at FROM state_leases LIMIT ${MAX_ROWS + 1}`);
    const rows: LeaseRow[] = [];
    let skipped = 0;
    for (const row of raw.slice(0, MAX_ROWS)) {
      const { scope, lease_key: leaseKey, owner } = row;
      if (typeof scope !== 'string' || typeof leaseKey !== 'string' || typeof owner !== 'string') {
        skipped++;
        continue;
      }
      rows.push({
        scope,
        leaseKey,
        owner,
        payloadJson: typeof row.payload_json === 'string' ? row.payload_json : null,
        createdAt: int(row.created_at),
        updatedAt: int(row.updated_at),
        heartbeatAt: int(row.heartbeat_at),
        expiresAt: int(row.expires_at),
      });
    }
    return { rows, skipped, truncated: raw.length > MAX_ROWS };
  }

  agentDatabaseLeases(): { rows: AgentDatabaseLeaseRow[]; skipped: number; truncated: boolean } {
    const raw = this.all(`SELECT lease_id, agent_id, path, owner_pid, owner_start_time, opened_at FROM agent_database_leases LIMIT ${MAX_ROWS + 1}`);
    const rows: AgentDatabaseLeaseRow[] = [];
    let skipped = 0;
    for (const row of raw.slice(0, MAX_ROWS)) {
      if (typeof row.lease_id !== 'string' || typeof row.agent_id !== 'string') {
        skipped++;
        continue;
      }
      rows.push({
        leaseId: row.lease_id,
        agentId: row.agent_id,
        path: typeof row.path === 'string' ? row.path : null,
        ownerPid: int(row.owner_pid),
        ownerStartTime: int(row.owner_start_time),
        openedAt: int(row.opened_at),
      });
    }
    return { rows, skipped, truncated: raw.length > MAX_ROWS };
  }

  /**
   * Runs `work` inside one BEGIN IMMEDIATE. With busy_timeout 0 a live writer answers SQLITE_BUSY
   * at once, at BEGIN or at COMMIT; then everything is rolled back and nothing waits.
   */
  write<T>(work: () => T): WriteOutcome<T> {
    try {
      this.becomeWritable();
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      return failure(error);
    }
    try {
      const value = work();
      this.db.exec('COMMIT');
      return { status: 'done', value };
    } catch (error) {
      this.rollback();
      return failure(error);
    }
  }

  /** Compare-and-delete on the owner token: a row re-acquired since it was read has a new token and stays. */
  deleteLease(row: Pick<LeaseRow, 'scope' | 'leaseKey' | 'owner'>): boolean {
    const statement = this.db.prepare('DELETE FROM state_leases WHERE scope = ? AND lease_key = ? AND owner = ?');
    return Number(statement.run(row.scope, row.leaseKey, row.owner).changes) === 1;
  }

  /** agent_database_leases has no owner token: the lease id plus the recorded owner identity stand in for it. */
  deleteAgentDatabaseLease(row: Pick<AgentDatabaseLeaseRow, 'leaseId' | 'ownerPid' | 'ownerStartTime'>): boolean {
    const statement = this.db.prepare('DELETE FROM agent_database_leases WHERE lease_id = ? AND owner_pid IS ? AND owner_start_time IS ?');
    return Number(statement.run(row.leaseId, row.ownerPid, row.ownerStartTime).changes) === 1;
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      // Already closed.
    }
  }

  private connect(query: string): DatabaseSync {
    const db = new this.sqlite.DatabaseSync(`${pathToFileURL(this.path).href}?${query}`);
    db.exec('PRAGMA busy_timeout = 0');
    return db;
  }

  /**
   * The reading connection goes first: in WAL mode an open connection keeps the writer, as the last
   * to close, from checkpointing and removing the -wal and -shm it made.
   */
  private becomeWritable(): void {
    if (this.writable) return;
    this.db.close();
    this.db = this.connect('mode=rw');
    this.writable = true;
  }

  /** SQLite may already have rolled back (a failed COMMIT can); isTransaction needs Node 22.16, so ask by trying. */
  private rollback(): void {
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // No transaction left to roll back.
    }
  }

  private all(sql: string): Record<string, unknown>[] {
    const statement: StatementSync = this.db.prepare(sql);
    // Non-STRICT tables may hold any integer; read them as BigInt so one odd value cannot throw.
    statement.setReadBigInts(true);
    return statement.all() as Record<string, unknown>[];
  }
}

function int(value: unknown): number | null {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

/** SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock this statement needs. */
export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === SQLITE_BUSY || code === SQLITE_LOCKED;
}

function failure(error: unknown): WriteOutcome<never> {
  if (isBusy(error)) return { status: 'busy' };
  if (sqliteCode(error) === SQLITE_READONLY) return { status: 'read-only' };
  return { status: 'failed', message: sqliteMessage(error) };
}

function sqliteCode(error: unknown): number | undefined {
  const errcode = (error as { errcode?: unknown }).errcode;
  return typeof errcode === 'number' ? errcode & 0xff : undefined;
}

export function sqliteMessage(error: unknown): string {
  const { errstr, message } = error as { errstr?: unknown; message?: unknown };
  return String(errstr ?? message ?? error);
}
