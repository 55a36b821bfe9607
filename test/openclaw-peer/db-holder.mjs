// Keeps OpenClaw's state DB open read-write, as every running OpenClaw CLI does (openclaw status,
// doctor, an agent run), then waits to be killed. Prints "ready" once the DB is open and read.
// Usage: node db-holder.mjs STATE_DIR/state/openclaw.sqlite
import { DatabaseSync } from 'node:sqlite';

const db = new DatabaseSync(process.argv[2]);
const { rows } = db.prepare('SELECT count(*) AS rows FROM state_leases').get();
process.stdout.write(`ready (state_leases has ${rows} rows)\n`);
setInterval(() => {}, 1 << 30);
