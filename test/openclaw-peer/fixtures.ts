// Fixtures of what openclaw@2026.9.6 leaves after a SIGKILL (scripts/openclaw-fixtures.mjs makes
// them from the real package), and how to re-date them onto the machine a test runs on.
//
// Every time a fixture carries is stored as an offset from the crash: wall-clock values (ISO
// createdAt, epoch-ms columns, file mtimes) against the crash's Date.now(), start times in clock
// ticks (/proc/<pid>/stat field 22: gateway locks' startTime, fs-safe locks' starttime, the
// gateway-owner row's owner.startedAt, agent_database_leases.owner_start_time) against the
// crash's uptime. Re-dating puts the crash `crashAgoMs` before now on this boot, so a fixture
// keeps its meaning on a machine that booted a minute ago, as long as its processes would have
// started after the boot (minUptimeMs says how much uptime that takes).
//
// Self-contained (node: built-ins only, erasable TypeScript): the generator script imports it
// under Node's type stripping, tests through vitest.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { uptimeMs as procUptimeMs } from '../helpers/boot.ts';

export type TimeUnit = 'iso' | 'epoch-ms' | 'ticks';

/** Where a time lives: a lock file's JSON field, a row's column, or a JSON field inside a column. */
export interface TimeField {
  /** Dotted path in the lock file's JSON, or a column name. */
  field: string;
  /** For a JSON column (payload_json): the dotted path inside it. */
  jsonPath?: string;
  unit: TimeUnit;
  /** Wall-clock units: ms from the crash's Date.now(). Ticks: ms from the crash's uptime. */
  offsetMs: number;
}

export interface FixtureFile {
  /** Relative to the fixture's state dir. */
  path: string;
  /** A directory (a reclaim guard) is listed here only: git keeps no empty directories. */
  type: 'file' | 'directory';
  kind: string;
  /** mtime as an offset (ms) from the crash's Date.now(). */
  mtimeOffsetMs: number;
  times: TimeField[];
}

export interface FixtureRow {
  table: 'state_leases' | 'agent_database_leases';
  /** The row's primary key (scope + lease_key, or lease_id). */
  key: Record<string, string>;
  times: TimeField[];
}

export interface FixtureManifest {
  generatedBy: string;
  openclaw: string;
  node: string;
  scenario: string;
  /** The generating machine: ticks per second, and the uid that named tmp/openclaw-<uid>. */
  clockTicks: number;
  uid: number;
  /** The state dir the payloads name (stateDir, configPath): the generator's scratch path. */
  stateDir: string;
  crash: { wallMs: number; uptimeMs: number };
  /** Uptime a machine needs for every start time to fall after its boot (with the crash just now). */
  minUptimeMs: number;
  files: FixtureFile[];
  rows: FixtureRow[];
}

export const MANIFEST = 'manifest.json';
/** fs-safe's ownership token: 8 tabs, then 128 tabs or spaces, alone on the last line. */
const TOKEN_LINE = /\n(\t{8}[ \t]{128})\n$/;

/** The JSON document and the ownership token after it (fs-safe serializes `${JSON.stringify(p, null, 2)}\n${token}\n`). */
export function splitPayload(raw: string): { json: Record<string, unknown>; token: string | undefined } {
  const token = TOKEN_LINE.exec(raw)?.[1];
  const text = token === undefined ? raw : raw.slice(0, raw.length - token.length - 2);
  return { json: JSON.parse(text) as Record<string, unknown>, token };
}

export function joinPayload(json: Record<string, unknown>, token: string | undefined): string {
  const text = JSON.stringify(json, null, 2);
  return token === undefined ? text : `${text}\n${token}\n`;
}

/** Uptime in whole ms (/proc/uptime has 10 ms resolution), as the manifest records it. */
export function uptimeMs(): number {
  return Math.round(procUptimeMs());
}

/** The offset of a time value from the crash, in the unit's own reference. */
export function offsetOf(unit: TimeUnit, value: number | string, crash: FixtureManifest['crash'], clockTicks: number): number {
  if (unit === 'ticks') return Math.round((Number(value) * 1000) / clockTicks - crash.uptimeMs);
  const ms = unit === 'iso' ? Date.parse(String(value)) : Number(value);
  return ms - crash.wallMs;
}

function valueAt(unit: TimeUnit, offsetMs: number, crash: FixtureManifest['crash'], clockTicks: number): number | string {
  if (unit === 'ticks') return Math.round(((crash.uptimeMs + offsetMs) * clockTicks) / 1000);
  const ms = crash.wallMs + offsetMs;
  return unit === 'iso' ? new Date(ms).toISOString() : ms;
}

function getPath(object: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), object);
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((at, key) => at[key] as Record<string, unknown>, object);
  parent[last] = value;
}

export function readManifest(fixtureDir: string): FixtureManifest {
  return JSON.parse(readFileSync(join(fixtureDir, MANIFEST), 'utf8')) as FixtureManifest;
}

export interface Redated {
  stateDir: string;
  crash: FixtureManifest['crash'];
}

/**
 * Copies the fixture's state dir to `targetStateDir` with every time moved so that the crash
 * happened `crashAgoMs` before now, on this boot. Lock bytes keep their shape and ownership token;
 * only the time values change. Throws if this machine has not been up long enough for that.
 */
export function redateFixture(fixtureDir: string, targetStateDir: string, options: { crashAgoMs: number; clockTicks: number }): Redated {
  const manifest = readManifest(fixtureDir);
  const now = { wallMs: Date.now(), uptimeMs: uptimeMs() };
  const crash = { wallMs: now.wallMs - options.crashAgoMs, uptimeMs: now.uptimeMs - options.crashAgoMs };
  const needed = manifest.minUptimeMs + options.crashAgoMs;
  if (now.uptimeMs < needed) throw new Error(`this machine has been up ${now.uptimeMs} ms; fixture ${fixtureDir} re-dated ${options.crashAgoMs} ms ago needs ${needed} ms`);
  copyTree(join(fixtureDir, 'state'), targetStateDir);
  for (const file of manifest.files) {
    const path = join(targetStateDir, file.path);
    if (file.type === 'directory') mkdirSync(path, { recursive: true });
    if (file.times.length > 0) {
      const { json, token } = splitPayload(readFileSync(path, 'utf8'));
      for (const time of file.times) setPath(json, time.field, valueAt(time.unit, time.offsetMs, crash, options.clockTicks));
      writeFileSync(path, joinPayload(json, token));
    }
    const mtime = new Date(crash.wallMs + file.mtimeOffsetMs);
    utimesSync(path, mtime, mtime);
  }
  redateRows(join(targetStateDir, 'state', 'openclaw.sqlite'), manifest.rows, crash, options.clockTicks);
  return { stateDir: targetStateDir, crash };
}

function redateRows(dbPath: string, rows: FixtureRow[], crash: FixtureManifest['crash'], clockTicks: number): void {
  if (rows.length === 0) return;
  const db = new DatabaseSync(dbPath);
  try {
    for (const row of rows) {
      const where = Object.keys(row.key).map((column) => `${column} = ?`).join(' AND ');
      const keys = Object.values(row.key);
      const current = db.prepare(`SELECT * FROM ${row.table} WHERE ${where}`).get(...keys) as Record<string, unknown> | undefined;
      if (!current) throw new Error(`fixture row ${row.table} ${JSON.stringify(row.key)} is missing from ${dbPath}`);
      const updates = new Map<string, unknown>();
      for (const time of row.times) {
        const value = valueAt(time.unit, time.offsetMs, crash, clockTicks);
        if (time.jsonPath === undefined) {
          updates.set(time.field, value);
          continue;
        }
        const json = JSON.parse(String(updates.get(time.field) ?? current[time.field])) as Record<string, unknown>;
        setPath(json, time.jsonPath, value);
        updates.set(time.field, JSON.stringify(json));
      }
      const set = [...updates.keys()].map((column) => `${column} = ?`).join(', ');
      db.prepare(`UPDATE ${row.table} SET ${set} WHERE ${where}`).run(...([...updates.values()] as (string | number)[]), ...keys);
    }
  } finally {
    db.close();
  }
}

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else if (entry.isFile()) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, target);
    }
  }
}

/** The time fields of a lock payload, by kind: start times in ticks, creation as ISO text. */
export function payloadTimes(json: Record<string, unknown>, crash: FixtureManifest['crash'], clockTicks: number): TimeField[] {
  const fields: TimeField[] = [];
  for (const [field, unit] of [['createdAt', 'iso'], ['startTime', 'ticks'], ['starttime', 'ticks']] as const) {
    const value = getPath(json, field);
    if (typeof value === 'string' || typeof value === 'number') fields.push({ field, unit, offsetMs: offsetOf(unit, value, crash, clockTicks) });
  }
  return fields;
}

/** The time columns of a lease row; payload_json's owner.startedAt is start-time ticks (2026.9, Linux). */
export function rowTimes(table: FixtureRow['table'], row: Record<string, unknown>, crash: FixtureManifest['crash'], clockTicks: number): TimeField[] {
  const columns: [string, TimeUnit][] =
    table === 'state_leases'
      ? [
          ['created_at', 'epoch-ms'],
          ['updated_at', 'epoch-ms'],
          ['heartbeat_at', 'epoch-ms'],
          ['expires_at', 'epoch-ms'],
        ]
      : [
          ['opened_at', 'epoch-ms'],
          ['owner_start_time', 'ticks'],
        ];
  const fields: TimeField[] = columns
    .filter(([column]) => typeof row[column] === 'number')
    .map(([field, unit]) => ({ field, unit, offsetMs: offsetOf(unit, row[field] as number, crash, clockTicks) }));
  if (table === 'state_leases' && typeof row.payload_json === 'string') {
    const startedAt = getPath(JSON.parse(row.payload_json) as Record<string, unknown>, 'owner.startedAt');
    if (typeof startedAt === 'number') fields.push({ field: 'payload_json', jsonPath: 'owner.startedAt', unit: 'ticks', offsetMs: offsetOf('ticks', startedAt, crash, clockTicks) });
  }
  return fields;
}
