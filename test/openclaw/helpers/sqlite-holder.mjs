// Test helper: a separate process that opens a real SQLite file with node:sqlite and holds it.
// argv: <db> <journal_mode> <hold: none|open|immediate|exclusive|write-open> [setup SQL]
// Prints "ready <pid>" once the hold is in place, then waits until killed.
import { DatabaseSync } from 'node:sqlite';
import { openSync } from 'node:fs';

const [file, mode, hold, setup] = process.argv.slice(2);
if (hold === 'write-open') {
  // Just an fd open for writing, as a gateway's long-lived connection has.
  openSync(file, 'r+');
} else {
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA journal_mode=${mode}`);
  if (setup) db.exec(setup);
  if (hold === 'open') db.prepare('SELECT count(*) FROM sqlite_master').get();
  if (hold === 'immediate') db.exec('BEGIN IMMEDIATE');
  if (hold === 'exclusive') db.exec('BEGIN EXCLUSIVE');
  globalThis.keep = db;
}
process.stdout.write(`ready ${process.pid}\n`);
setInterval(() => {}, 60_000);
