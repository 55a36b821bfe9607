// Test helper: inserts one state_leases row into an existing DB and exits (runs inside test namespaces).
// argv: <db> <scope> <key> <payload_json> [created_at ms, default now]
import { DatabaseSync } from 'node:sqlite';

const [db, scope, key, payload, created] = process.argv.slice(2);
const createdAt = created ? Number(created) : Date.now();
const handle = new DatabaseSync(db);
handle
  .prepare('INSERT INTO state_leases (scope, lease_key, owner, payload_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
  .run(scope, key, `tok-${scope}-${key}`, payload, createdAt, createdAt);
handle.close();
