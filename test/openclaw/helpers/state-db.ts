// Real OpenClaw-shaped SQLite files for the tests: the schema, in WAL mode.
import { DatabaseSync } from 'node:sqlite';

export const STATE_LEASES_SQL = `CREATE TABLE state_leases (scope TEXT NOT NULL, lease_key TEXT NOT NULL, owner TEXT NOT NULL,
  expires_at INTEGER, heartbeat_at INTEGER, payload_json TEXT, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, PRIMARY KEY (scope, lease_key))`;
export const AGENT_DATABASE_LEASES_SQL = `CREATE TABLE agent_database_leases (lease_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL,
  path TEXT, owner_pid INTEGER, owner_start_time INTEGER, opened_at INTEGER)`;

export interface SeedLease {
  scope: string;
  key: string;
  owner?: string;
  payload: unknown;
  createdAt: number;
  updatedAt?: number;
  heartbeatAt?: number | null;
  expiresAt?: number | null;
}

/** Creates a state DB (WAL, STRICT unless told) with the given rows, and closes it. */
export function createStateDb(path: string, leases: SeedLease[], options: { strict?: boolean; journal?: 'WAL' | 'DELETE'; agentLeases?: boolean; extraSql?: string } = {}): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA journal_mode=${options.journal ?? 'WAL'}`);
    db.exec(STATE_LEASES_SQL + (options.strict === false ? ';' : ' STRICT;'));
    if (options.agentLeases) db.exec(AGENT_DATABASE_LEASES_SQL + ' STRICT;');
    if (options.extraSql) db.exec(options.extraSql);
    if (leases.length === 0) return;
    const insert = db.prepare('INSERT INTO state_leases (scope, lease_key, owner, expires_at, heartbeat_at, payload_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    db.exec('BEGIN');
    for (const lease of leases) {
      insert.run(
        lease.scope,
        lease.key,
        lease.owner ?? `tok-${lease.scope}-${lease.key}`,
        lease.expiresAt ?? null,
        lease.heartbeatAt ?? null,
        typeof lease.payload === 'string' ? lease.payload : JSON.stringify(lease.payload),
        lease.createdAt,
        lease.updatedAt ?? lease.createdAt,
      );
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

export function leaseKeys(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare('SELECT scope, lease_key FROM state_leases ORDER BY scope, lease_key').all() as { scope: string; lease_key: string }[]).map((row) => `${row.scope}/${row.lease_key}`);
  } finally {
    db.close();
  }
}
