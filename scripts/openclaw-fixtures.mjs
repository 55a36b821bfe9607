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
// Then examples/demo-state, the state dir of `npm run demo`: the gateway crash, with session locks
// beside it as OpenClaw before 2026.8 wrote them (2026.9 writes none), and session transcripts.
//
// Usage: node scripts/openclaw-fixtures.mjs [--out DIR] [--demo-state-only]
//   --out DIR          where the fixtures go (default test/openclaw-peer/fixtures; replaced)
//   --demo-state-only  only rebuild examples/demo-state, from the gateway-crash fixture in --out
// Needs root (unshare) and Node >= 24 (it imports the harness's TypeScript under type stripping).
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
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
import { joinPayload, MANIFEST, payloadTimes, readManifest, rowTimes, uptimeMs } from '../test/openclaw-peer/fixtures.ts';

const { values } = parseArgs({
  options: { out: { type: 'string', default: join(REPO, 'test', 'openclaw-peer', 'fixtures') }, 'demo-state-only': { type: 'boolean', default: false } },
});
const out = values.out;
const clockTicks = clockTicksPerSecond();
const TABLES = ['schema_meta', 'state_leases', 'agent_database_leases'];
const DEMO_STATE = join(REPO, 'examples', 'demo-state');

/**
 * Session locks as OpenClaw before 2026.8 wrote them, beside the real 2026.9.6 crash: the pid-1
 * gateway's session lock in the oldest shape (no starttime), an agent run's (pid 7) in the later
 * one (starttime in ticks, maxHoldMs, fs-safe's ownership token), and one its writer died in the
 * middle of writing. Times are offsets (ms) from the crash, as in a manifest.
 */
const LEGACY_LOCKS = [
  { path: 'agents/main/sessions/main.jsonl.lock', mtimeOffsetMs: -6_000, payload: { pid: 1, createdAt: -6_000 } },
  { path: 'agents/main/sessions/chat-7.jsonl.lock', mtimeOffsetMs: -4_000, payload: { pid: 7, createdAt: -4_000, starttime: -9_000, maxHoldMs: 300_000 }, token: true },
  { path: 'agents/ops/sessions/broken.jsonl.lock', mtimeOffsetMs: -60_000, raw: '{"pid": 16, "createdAt": "2026-11-2' },
];

/** The transcripts the locks guard, and one a live neighbour (ops/live) and a crashed gateway (ops/recycled) take in the demo. */
const TRANSCRIPTS = {
  'agents/main/sessions/main.jsonl': '{"type":"session","version":3,"id":"main"}\n{"type":"message","role":"user","content":"hello"}\n',
  'agents/main/sessions/chat-7.jsonl': '{"type":"session","version":3,"id":"chat-7"}\n',
  'agents/main/sessions/sessions.json': '{"agent:main:main":{"sessionId":"main"},"agent:main:chat-7":{"sessionId":"chat-7"}}\n',
  'agents/ops/sessions/broken.jsonl': '{"type":"session","version":3,"id":"broken"}\n',
  'agents/ops/sessions/live.jsonl': '{"type":"session","version":3,"id":"live"}\n',
  'agents/ops/sessions/recycled.jsonl': '{"type":"session","version":3,"id":"recycled"}\n',
};

if (values['demo-state-only']) {
  writeDemoState(join(out, 'gateway-crash'));
  process.exit(0);
}

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
writeDemoState(join(out, 'gateway-crash'));

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

/** examples/demo-state: the gateway-crash fixture, plus the legacy session locks and transcripts, in one manifest. */
function writeDemoState(gatewayCrash) {
  const manifest = readManifest(gatewayCrash);
  rmSync(DEMO_STATE, { recursive: true, force: true });
  cpSync(gatewayCrash, DEMO_STATE, { recursive: true });
  const state = join(DEMO_STATE, 'state');
  for (const [path, text] of Object.entries(TRANSCRIPTS)) {
    mkdirSync(dirname(join(state, path)), { recursive: true });
    writeFileSync(join(state, path), text);
  }
  const legacy = LEGACY_LOCKS.map((lock) => {
    const json = lock.payload && legacyPayload(lock.payload, manifest);
    writeFileSync(join(state, lock.path), json ? joinPayload(json, lock.token ? ownershipToken(lock.path) : undefined) : lock.raw);
    return { path: lock.path, type: 'file', kind: 'openclaw-session (before 2026.8)', mtimeOffsetMs: lock.mtimeOffsetMs, times: json ? payloadTimes(json, manifest.crash, manifest.clockTicks) : [] };
  });
  const demo = {
    ...manifest,
    generatedBy: 'scripts/openclaw-fixtures.mjs (examples/demo-state, from the gateway-crash fixture)',
    scenario: `${manifest.scenario}; beside it, session locks as OpenClaw before 2026.8 wrote them (2026.9 writes none)`,
    files: [...manifest.files, ...legacy],
  };
  writeFileSync(join(DEMO_STATE, MANIFEST), `${JSON.stringify(demo, null, 2)}\n`);
  console.log(`examples/demo-state: ${manifest.files.length} files of openclaw@${manifest.openclaw}, ${legacy.length} legacy session locks`);
}

/** A payload of crash-relative offsets made absolute: createdAt as ISO text, starttime as ticks. */
function legacyPayload({ pid, createdAt, starttime, ...rest }, { crash, clockTicks: ticks }) {
  return {
    pid,
    createdAt: new Date(crash.wallMs + createdAt).toISOString(),
    ...(starttime === undefined ? {} : { starttime: Math.round(((crash.uptimeMs + starttime) * ticks) / 1000) }),
    ...rest,
  };
}

/** fs-safe's token: 8 tabs, then 128 tabs or spaces; derived from the path, so a rebuild keeps it. */
function ownershipToken(path) {
  const bits = [...createHash('sha256').update(path).digest()].flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((bit) => (byte >> bit) & 1));
  return '\t'.repeat(8) + bits.slice(0, 128).map((bit) => (bit ? '\t' : ' ')).join('');
}
