// Generates fixtures of what openclaw@2026.9.6 really leaves on its state volume after a SIGKILL,
// from the real package (test/openclaw-peer), each crash in its own container:
//
//   gateway-crash  `openclaw gateway run` as PID 1, SIGKILLed once `[gateway] ready`
//   agent-crash    `openclaw agent --local` as PID 1, SIGKILLed while its model call hangs
//   sidecar-crash  OpenClaw's own fs-safe file locks (openclaw.json.lock, the auth-profile
//                  store's openclaw-agent.sqlite.lock), taken through openclaw/plugin-sdk/file-lock
//                  and SIGKILLed while held
//   guard-crash    such a lock left by a SIGKILL, and the empty openclaw.json.lock.reclaim guard
//                  of a second process SIGKILLed inside fs-safe's reclaim of it (every later
//                  acquirer then fails with file_lock_timeout until the guard is gone)
//
// Each fixture keeps the lock-like files byte for byte, and state/openclaw.sqlite reduced to the
// tables lockguard reads (schema_meta, state_leases, agent_database_leases: the real schema SQL and
// rows). manifest.json records every time value as an offset from the crash; redateFixture in
// test/openclaw-peer/fixtures.ts puts them back relative to now and this boot.
//
// Usage: node scripts/openclaw-fixtures.mjs [--out DIR]   (default test/openclaw-peer/fixtures; replaced)
// Needs root (unshare) and Node >= 24 (it imports the harness's TypeScript under type stripping).
import { mkdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import {
  CHAT_CALL_HANGING,
  clockTicksPerSecond,
  configureLocalModel,
  ensurePeerInstalled,
  listLockFiles,
  makeVolume,
  OPENCLAW_VERSION,
  READY,
  readLeaseRows,
  removeVolume,
  REPO,
  SCRATCH_PARENT,
  startAgentTurn,
  startFileLockHolder,
  startGateway,
  startReclaimerThatHangs,
} from '../test/openclaw-peer/harness.ts';
import { MANIFEST, payloadTimes, rowTimes, uptimeMs } from '../test/openclaw-peer/fixtures.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: join(REPO, 'test', 'openclaw-peer', 'fixtures') } } });
const out = values.out;
const clockTicks = clockTicksPerSecond();
const TABLES = ['schema_meta', 'state_leases', 'agent_database_leases'];

ensurePeerInstalled((line) => console.log(line));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await fixture('gateway-crash', 'openclaw gateway run (PID 1 of a container, hostname box-a) SIGKILLed after [gateway] ready', async (volume) => {
  const gateway = startGateway(volume, 'box-a', 18789);
  await gateway.waitFor(READY, 120_000);
  return gateway;
});

await fixture('agent-crash', 'openclaw agent --local (PID 1 of a container, hostname agent-box) SIGKILLed while its model call hangs', async (volume) => {
  configureLocalModel(volume, 19001);
  const turn = startAgentTurn(volume, 'agent-box', 19001);
  await turn.waitFor(CHAT_CALL_HANGING, 180_000);
  return turn;
});

await fixture('sidecar-crash', 'fs-safe sidecar locks taken through openclaw/plugin-sdk/file-lock (PID 1 of a container, hostname box-s), SIGKILLed while held', async (volume) => {
  const agentDir = join(volume.stateDir, 'agents', 'main', 'agent');
  mkdirSync(agentDir, { recursive: true });
  writeFileSync(join(volume.stateDir, 'openclaw.json'), '{}\n');
  const holder = startFileLockHolder(volume, 'box-s', [join(volume.stateDir, 'openclaw.json'), join(agentDir, 'openclaw-agent.sqlite')]);
  await holder.waitFor(/^ready$/m, 60_000);
  return holder;
});

await fixture('guard-crash', 'a dead fs-safe reclaimer: openclaw.json.lock of a SIGKILLed holder (box-g1), and the openclaw.json.lock.reclaim guard of a second process (box-g2) SIGKILLed inside its reclaim', async (volume) => {
  const config = join(volume.stateDir, 'openclaw.json');
  writeFileSync(config, '{}\n');
  const holder = startFileLockHolder(volume, 'box-g1', [config]);
  await holder.waitFor(/^ready$/m, 60_000);
  await holder.kill();
  const reclaimer = startReclaimerThatHangs(volume, 'box-g2', config);
  await reclaimer.waitFor(/^guarded$/m, 60_000);
  return reclaimer;
});

rmSync(join(SCRATCH_PARENT, 'lockguard-openclaw-fixtures'), { recursive: true, force: true });
console.log(`fixtures written to ${out}`);

/** Runs one crash in a fresh volume and keeps what it left. */
async function fixture(name, scenario, crashIn) {
  // A fixed path: payloads record it and the config lock's name hashes it, so regenerating changes only what OpenClaw wrote.
  const volume = makeVolume(`fixture-${name}`, join(SCRATCH_PARENT, 'lockguard-openclaw-fixtures', name));
  try {
    const container = await crashIn(volume);
    await container.kill();
    const crash = { wallMs: Date.now(), uptimeMs: uptimeMs() };
    const target = join(out, name, 'state');
    const files = listLockFiles(volume.stateDir)
      .filter((file) => file.type !== 'other' && !file.path.includes('/.git/'))
      .map((file) => {
        const to = join(target, file.path);
        // Directories (reclaim guards) live in the manifest only: git keeps no empty directory.
        mkdirSync(dirname(to), { recursive: true });
        if (file.type === 'file') copyFileSync(join(volume.stateDir, file.path), to);
        return {
          path: file.path,
          type: file.type,
          kind: kindOf(file.path),
          mtimeOffsetMs: Math.round(statSync(join(volume.stateDir, file.path)).mtimeMs - crash.wallMs),
          times: file.json ? payloadTimes(file.json, crash, clockTicks) : [],
        };
      });
    const rows = reduceDatabase(volume.stateDir, join(target, 'state', 'openclaw.sqlite'), crash);
    const tickOffsets = [...files, ...rows].flatMap((entry) => entry.times).filter((time) => time.unit === 'ticks').map((time) => time.offsetMs);
    const manifest = {
      generatedBy: 'scripts/openclaw-fixtures.mjs',
      openclaw: OPENCLAW_VERSION,
      node: process.version,
      scenario,
      clockTicks,
      uid: process.getuid(),
      stateDir: volume.stateDir,
      crash,
      minUptimeMs: Math.max(0, ...tickOffsets.map((offset) => -offset)),
      files,
      rows,
    };
    writeFileSync(join(out, name, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`${name}: ${files.length} files, ${rows.length} rows`);
  } finally {
    removeVolume(volume);
  }
}

function kindOf(path) {
  if (/(^|\/)gateway\.(state|[0-9a-f]{8})\.lock$/.test(path)) return 'openclaw-gateway';
  if (path.endsWith('.lock.sqlite') || path.endsWith('-lock.sqlite') || path.endsWith('.generation-writer.sqlite')) return 'sqlite-coordinator';
  if (path.endsWith('.reclaim')) return 'fs-safe-reclaim-guard';
  return 'fs-safe-sidecar';
}

/** A new openclaw.sqlite with the lease tables only: the real CREATE statements and rows. */
function reduceDatabase(stateDir, to, crash) {
  const { stateLeases, agentDatabaseLeases } = readLeaseRows(stateDir);
  const source = join(stateDir, 'state', 'openclaw.sqlite');
  let schema;
  try {
    statSync(source);
    const db = new DatabaseSync(source, { readOnly: true });
    try {
      schema = TABLES.map((table) => ({ table, sql: db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)?.sql, rows: db.prepare(`SELECT * FROM ${table}`).all() })).filter((entry) => entry.sql);
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
  mkdirSync(dirname(to), { recursive: true });
  const db = new DatabaseSync(to);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    for (const { sql, table, rows } of schema) {
      db.exec(sql);
      for (const row of rows) {
        const columns = Object.keys(row);
        db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...Object.values(row));
      }
    }
  } finally {
    db.close();
  }
  return [
    ...stateLeases.map((row) => ({ table: 'state_leases', key: { scope: row.scope, lease_key: row.lease_key }, times: rowTimes('state_leases', row, crash, clockTicks) })),
    ...agentDatabaseLeases.map((row) => ({ table: 'agent_database_leases', key: { lease_id: row.lease_id }, times: rowTimes('agent_database_leases', row, crash, clockTicks) })),
  ];
}
