// The real OpenClaw (openclaw@2026.9.6) as a test peer: its install, "containers" to run it in,
// the gateway and `openclaw agent --local`, and what they leave on the volume.
//
// A container here is what Docker gives a gateway, made with unshare: its own PID namespace
// (the command is PID 1), UTS namespace (its own hostname), network namespace (loopback only,
// so nothing leaves the machine) and mount namespace with a private /tmp (OpenClaw keeps its
// lifecycle coordinators in /tmp, which a container does not share). The state volume is a
// directory every container sees.
//
// Erasable TypeScript that imports only node: built-ins and the shared process runner (harness/run.ts,
// by its .ts name), so that scripts/openclaw-fixtures.mjs can import it under Node's type stripping
// as well as the vitest scenarios.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { childrenOf, NODE, ROOT, runSync, start, type Running } from '../../harness/run.ts';

export const PEER_DIR = fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '');
export const REPO = ROOT.replace(/\/$/, '');
/** The project's Node 24 (devDependency): OpenClaw 2026.9 needs >= 24.16 and node:sqlite. */
export { NODE };
export const OPENCLAW_VERSION = '2026.9.6';
export const OPENCLAW = join(PEER_DIR, 'node_modules', 'openclaw', 'openclaw.mjs');
/** Scratch volumes: every container sees them, also when they are under /tmp (see CONTAINER_INIT). */
export const SCRATCH_PARENT = process.env.LOCKGUARD_OPENCLAW_SCRATCH ?? '/var/tmp';

/** Installs the pinned peer from its own lockfile when it is missing or another version. */
export function ensurePeerInstalled(log: (line: string) => void = () => {}): void {
  if (installedVersion() === OPENCLAW_VERSION) return;
  log(`installing openclaw@${OPENCLAW_VERSION} into ${PEER_DIR} (npm ci --ignore-scripts)`);
  const npm = runSync(['npm', 'ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: PEER_DIR,
    env: { PATH: `${join(REPO, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
    timeoutMs: 0,
  });
  if (npm.code !== 0) throw new Error(`npm ci in ${PEER_DIR} failed (exit ${npm.code ?? npm.signal}): ${npm.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  if (installedVersion() !== OPENCLAW_VERSION) throw new Error(`npm ci in ${PEER_DIR} did not install openclaw@${OPENCLAW_VERSION}`);
}

function installedVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(PEER_DIR, 'node_modules', 'openclaw', 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export interface Volume {
  root: string;
  /** OPENCLAW_STATE_DIR: the mounted state volume. */
  stateDir: string;
  /** HOME of every container on this volume (OpenClaw caches land there, not in the state dir). */
  home: string;
}

/** A fresh volume in a new scratch dir, or at `fixedRoot` (emptied first) where paths must not vary. */
export function makeVolume(label: string, fixedRoot?: string): Volume {
  mkdirSync(SCRATCH_PARENT, { recursive: true });
  if (fixedRoot !== undefined) {
    rmSync(fixedRoot, { recursive: true, force: true });
    mkdirSync(fixedRoot, { recursive: true });
  }
  const root = fixedRoot ?? mkdtempSync(join(SCRATCH_PARENT, `lockguard-openclaw-${label}-`));
  const volume = { root, stateDir: join(root, 'state'), home: join(root, 'home') };
  mkdirSync(volume.stateDir);
  mkdirSync(volume.home);
  return volume;
}

/**
 * A copy of the volume as it is now, to put back before each scenario that starts from it: the
 * same paths (payloads record stateDir and configPath, and the gateway lock's name hashes the
 * latter), so a restored volume is the one the crashed gateway left.
 */
export function snapshotVolume(volume: Volume): string {
  const snapshot = `${volume.root}.snapshot`;
  rmSync(snapshot, { recursive: true, force: true });
  copyTree(volume.root, snapshot);
  return snapshot;
}

export function restoreVolume(volume: Volume, snapshot: string): void {
  rmSync(volume.root, { recursive: true, force: true });
  copyTree(snapshot, volume.root);
}

export function removeVolume(volume: Volume): void {
  rmSync(volume.root, { recursive: true, force: true });
  rmSync(`${volume.root}.snapshot`, { recursive: true, force: true });
}

function copyTree(from: string, to: string): void {
  const cp = runSync(['cp', '-a', '--', from, to]);
  if (cp.code !== 0) throw new Error(`cp -a ${from} ${to} failed: ${cp.stderr}`);
}

export function openclawEnv(volume: Volume): Record<string, string> {
  return {
    HOME: volume.home,
    OPENCLAW_STATE_DIR: volume.stateDir,
    PATH: `${join(REPO, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    NO_COLOR: '1',
  };
}

/**
 * $0 is the hostname, $1 and $2 host paths the container must still see (the repository and the
 * scratch volumes). The new /tmp is made on /mnt and moved onto /tmp, so that such a path under
 * the host's /tmp (a CI checkout in /tmp) can be bound into it first.
 */
const CONTAINER_INIT = [
  'ip link set lo up && hostname "$0"',
  'mount -t tmpfs -o mode=1777 tmpfs /mnt',
  'for keep in "$1" "$2"; do case "$keep" in /tmp/*) mkdir -p "/mnt${keep#/tmp}" && mount --bind "$keep" "/mnt${keep#/tmp}" || exit 1;; esac; done',
  'mount --move /mnt /tmp',
  'shift 2 && exec "$@"',
].join(' && ');
const ANSI = /\x1b\[[0-9;]*m/g;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms from the container's start to its exit. */
  afterMs: number;
}

/** One "container": argv runs as PID 1 of fresh PID, UTS, network and mount namespaces. */
export class Container {
  readonly hostname: string;
  readonly startedAt = performance.now();
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  private readonly unshare: Running;

  constructor(hostname: string, argv: string[], env: Record<string, string>) {
    this.hostname = hostname;
    this.unshare = start(['unshare', '--pid', '--fork', '--mount-proc', '--uts', '--net', '--mount', '--', 'sh', '-c', CONTAINER_INIT, hostname, REPO, SCRATCH_PARENT, ...argv], {
      env: { ...outsideTestRunner(process.env), ...env },
      envOnly: true,
      timeoutMs: 0,
    });
    this.exited = this.unshare.done.then(({ code, signal }) => (this.exit = { code, signal, afterMs: Math.round(performance.now() - this.startedAt) }));
  }

  /** stdout and stderr together, without colour codes. */
  get output(): string {
    return this.unshare.output().replace(ANSI, '');
  }

  /** Host pid of the container's PID 1 (unshare's forked child). */
  pid1(): number {
    const children = childrenOf(this.unshare.pid);
    if (children.length !== 1) throw new Error(`container ${this.hostname}: expected one PID 1, found [${children.join(', ')}]`);
    return children[0]!;
  }

  /** Host pids of PID 1's children (e.g. the gateway lockguard started). */
  childrenOfPid1(): number[] {
    return childrenOf(this.pid1());
  }

  /** Resolves with ms since start when `pattern` appears in the output; rejects if the container exits first. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.exit) throw new Error(`container ${this.hostname} exited (${this.exit.code ?? this.exit.signal}) before ${pattern}; output:\n${this.tail()}`);
      if (performance.now() > deadline) throw new Error(`container ${this.hostname}: no ${pattern} within ${timeoutMs} ms; output:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return Math.round(performance.now() - this.startedAt);
  }

  /** SIGKILL (by default) PID 1: the kernel then kills everything else in the container. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (!this.exit) {
      try {
        process.kill(this.pid1(), signal);
      } catch {
        // Already gone: exited resolves anyway.
      }
    }
    return this.exited;
  }

  /** HTTP status of GET / on the container's loopback, or the error; asked from inside its network namespace. */
  httpStatus(port: number): number | string {
    const ran = runSync(['nsenter', `--net=/proc/${this.pid1()}/ns/net`, NODE, '-e', httpProbe(port)], { timeoutMs: 10_000 });
    return httpStatusOf(ran.stdout, ran.stderr);
  }

  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }
}

/** A `node -e` script that prints the HTTP status of GET / on loopback, or `error: <code>`. */
export function httpProbe(port: number): string {
  return `fetch('http://127.0.0.1:${port}/',{signal:AbortSignal.timeout(3000)}).then(r=>console.log(r.status),e=>console.log('error: '+(e.cause?.code??e.message)))`;
}

/** What httpProbe printed: the status as a number, or what went wrong. */
export function httpStatusOf(stdout: string, stderr: string): number | string {
  const answer = stdout.trim();
  return /^\d+$/.test(answer) ? Number(answer) : answer || `no answer (${stderr.trim()})`;
}

/**
 * The environment without the test runner's marks: OpenClaw skips its gateway and embedded-writer
 * locks entirely when VITEST is set or NODE_ENV=test (acquireGatewayLock, acquireEmbeddedStateLock).
 */
function outsideTestRunner(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_ENV' && name !== 'TEST'));
}

export function gatewayArgv(port: number): string[] {
  return [NODE, OPENCLAW, 'gateway', 'run', '--allow-unconfigured', '--auth', 'none', '--bind', 'loopback', '--port', String(port)];
}

/** `[gateway] ready`, the line 2026.9 logs once the gateway serves. */
export const READY = /\[gateway\] ready\s*$/m;
export const OWNER_LEASE_REFUSAL = /Another Gateway owner lease is still active for this state directory/;

/** Runs `wrapper... openclaw gateway run ...` in a new container; wrapper is e.g. lockguard's `... --`. */
export function startGateway(volume: Volume, hostname: string, port: number, wrapper: string[] = [], env: Record<string, string> = {}): Container {
  return new Container(hostname, [...wrapper, ...gatewayArgv(port)], { ...openclawEnv(volume), ...env });
}

/** A model server on the container's loopback that answers /v1/models and never answers a chat call. */
export const HANGING_MODEL = join(PEER_DIR, 'hanging-model.mjs');
export const CHAT_CALL_HANGING = /model: chat call received; hanging/;

/** openclaw.json that points the default agent at the hanging model (provider "local", a dummy key). */
export function configureLocalModel(volume: Volume, modelPort: number): void {
  const config = {
    agents: { defaults: { model: { primary: 'local/tiny' } } },
    models: {
      mode: 'merge',
      providers: {
        local: {
          baseUrl: `http://127.0.0.1:${modelPort}/v1`,
          apiKey: 'dummy',
          api: 'openai-completions',
          models: [{ id: 'tiny', name: 'Tiny', reasoning: false, input: ['text'], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 32768, maxTokens: 1024 }],
        },
      },
    },
  };
  writeFileSync(join(volume.stateDir, 'openclaw.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** `openclaw agent --local` as PID 1 of a new container, with the hanging model server beside it. */
export function startAgentTurn(volume: Volume, hostname: string, modelPort: number, message = 'hello there'): Container {
  const script = `"$NODE" "$HANGING_MODEL" ${modelPort} & exec "$NODE" "$OPENCLAW" agent --local --agent main -m "$MESSAGE"`;
  return new Container(hostname, ['sh', '-c', script], { ...openclawEnv(volume), NODE, HANGING_MODEL, OPENCLAW, MESSAGE: message });
}

/** A process that keeps state/openclaw.sqlite open read-write, as any running OpenClaw CLI does; prints "ready". */
export const DB_HOLDER = join(PEER_DIR, 'db-holder.mjs');

export function startDbHolder(volume: Volume, hostname: string): Container {
  return new Container(hostname, [NODE, DB_HOLDER, join(volume.stateDir, 'state', 'openclaw.sqlite')], openclawEnv(volume));
}

/** Holds fs-safe sidecar locks the way OpenClaw does (its plugin-sdk/file-lock), then prints "ready". */
export const FILE_LOCK_HOLDER = join(PEER_DIR, 'file-lock-holder.mjs');

export function startFileLockHolder(volume: Volume, hostname: string, targets: string[]): Container {
  return new Container(hostname, [NODE, FILE_LOCK_HOLDER, ...targets], openclawEnv(volume));
}

/** Reclaims a dead holder's lock the way OpenClaw does and stops with the `.reclaim` guard made; prints "guarded". */
export function startReclaimerThatHangs(volume: Volume, hostname: string, target: string): Container {
  return new Container(hostname, [NODE, FILE_LOCK_HOLDER, '--hang-in-reclaim', target], { ...openclawEnv(volume), NODE_ENV: 'test' });
}

// ---- What is left on the volume ----

/** A lock-like file: OpenClaw's lock files, their SQLite coordinators, reclaim guards, lockguard's leftovers. */
const LOCK_LIKE = /\.lock$|\.lock\.sqlite$|\.sqlite\.[a-z-]+-lock\.sqlite$|\.sqlite\.generation-writer\.sqlite$|\.reclaim$|\.lockguard-[0-9a-f]+$/;

export interface LockFile {
  /** Relative to the state dir. */
  path: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  mtimeMs: number;
  /** The raw bytes, for files up to 64 KiB. */
  raw?: string;
  /** The JSON document before a trailing whitespace token, when there is one. */
  json?: Record<string, unknown>;
  /** fs-safe's ownership token: 8 tabs then 128 tabs/spaces, alone on the last line. */
  token?: string;
}

export interface StateLeaseRow {
  scope: string;
  lease_key: string;
  owner: string;
  expires_at: number | null;
  heartbeat_at: number | null;
  payload_json: string | null;
  created_at: number;
  updated_at: number;
}

export interface AgentDatabaseLeaseRow {
  lease_id: string;
  agent_id: string;
  path: string;
  owner_pid: number;
  owner_start_time: number | null;
  opened_at: number;
}

export interface Leftovers {
  files: LockFile[];
  stateLeases: StateLeaseRow[];
  agentDatabaseLeases: AgentDatabaseLeaseRow[];
}

const TOKEN = /\n(\t{8}[ \t]{128})\n$/;

export function readLockFile(stateDir: string, path: string): LockFile {
  const full = join(stateDir, path);
  const stat = lstatSync(full);
  const file: LockFile = { path, type: stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other', size: stat.size, mtimeMs: stat.mtimeMs };
  if (file.type !== 'file' || stat.size > 64 * 1024 || full.endsWith('.sqlite')) return file;
  const raw = readFileSync(full, 'utf8');
  const token = TOKEN.exec(raw)?.[1];
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { ...file, raw, ...(json ? { json } : {}), ...(token ? { token } : {}) };
}

/** Every lock-like entry under the state dir (git's own locks in agent workspaces included, if any). */
export function listLockFiles(stateDir: string): LockFile[] {
  const found: LockFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (LOCK_LIKE.test(entry.name)) found.push(readLockFile(stateDir, relative(stateDir, full)));
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full);
    }
  };
  if (existsSync(stateDir)) walk(stateDir);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/** The rows of state/openclaw.sqlite's lease tables (read-only; no row if the DB or table is missing). */
export function readLeaseRows(stateDir: string): Pick<Leftovers, 'stateLeases' | 'agentDatabaseLeases'> {
  const path = join(stateDir, 'state', 'openclaw.sqlite');
  if (!existsSync(path)) return { stateLeases: [], agentDatabaseLeases: [] };
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name));
    const rows = <T>(table: string): T[] => (tables.has(table) ? (db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as T[]).map((row) => ({ ...row })) : []);
    return { stateLeases: rows<StateLeaseRow>('state_leases'), agentDatabaseLeases: rows<AgentDatabaseLeaseRow>('agent_database_leases') };
  } finally {
    db.close();
  }
}

export function readLeftovers(stateDir: string): Leftovers {
  return { files: listLockFiles(stateDir), ...readLeaseRows(stateDir) };
}

/** The `gateway-owner/global` row, if any. */
export function gatewayOwnerRow(leftovers: Pick<Leftovers, 'stateLeases'>): StateLeaseRow | undefined {
  return leftovers.stateLeases.find((row) => row.scope === 'gateway-owner' && row.lease_key === 'global');
}

/** Lock files proper: not coordinators (never deleted, by design) and not git's own locks. */
export function lockFilesOnly(files: LockFile[]): LockFile[] {
  return files.filter((file) => file.path.endsWith('.lock') && !file.path.includes('/.git/'));
}

/** The clock-tick rate the kernel reports starttimes in (getconf CLK_TCK). */
export function clockTicksPerSecond(): number {
  const ran = runSync(['getconf', 'CLK_TCK']);
  const value = Number(ran.stdout.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
}
