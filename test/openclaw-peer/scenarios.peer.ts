// Issue 10's scenarios a-f against the real openclaw@2026.9.6: each "container" is a PID + UTS +
// network + mount namespace with its own hostname (harness.ts). Every scenario asserts what the
// issue says should happen; a failure names what was observed instead.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT_CALL_HANGING,
  configureLocalModel,
  gatewayOwnerRow,
  lockFilesOnly,
  makeVolume,
  OWNER_LEASE_REFUSAL,
  READY,
  readLeftovers,
  removeVolume,
  restoreVolume,
  snapshotVolume,
  startAgentTurn,
  startDbHolder,
  startFileLockHolder,
  startGateway,
  startReclaimerThatHangs,
  type Container,
  type LockFile,
  type Volume,
} from './harness.js';
import { lockguardLog, reclaimedPaths, startGatewayUnderLockguard, sweepInContainer, type VolumeMode } from './lockguard.js';

const PORT = 18789;
const MODEL_PORT = 19001;
const COLD_START_MS = 90_000;
const KEEP = process.env.LOCKGUARD_OPENCLAW_KEEP === '1';

const running = new Set<Container>();
const volumes = new Set<Volume>();

function track<T extends Container>(container: T): T {
  running.add(container);
  return container;
}

function volume(label: string): Volume {
  const made = makeVolume(label);
  volumes.add(made);
  return made;
}

afterEach(async () => {
  await Promise.all([...running].map((container) => container.kill()));
  running.clear();
});

afterAll(() => {
  if (KEEP) console.log(`LOCKGUARD_OPENCLAW_KEEP=1: volumes kept: ${[...volumes].map((v) => v.root).join(' ')}`);
  else for (const made of volumes) removeVolume(made);
});

/** Races readiness against exit: 'ready' (with ms since start) or the exit. */
async function readyOrExit(container: Container): Promise<{ ready: true; ms: number } | { ready: false; code: number | null }> {
  const exited = container.exited.then((exit) => ({ ready: false as const, code: exit.code }));
  const ready = container.waitFor(READY, COLD_START_MS).then((ms) => ({ ready: true as const, ms }));
  return Promise.race([ready.catch(() => exited), exited]);
}

/** What lockguard's sweep before the command logged: its counts and duration (gateway locks with a free coordinator need no settle). */
function sweepSummary(container: Container): string {
  const done = lockguardLog(container).find((line) => line.msg === 'run done');
  return done ? `sweep: ${done.reclaimed} reclaimed in ${Math.round(Number(done.durationMs))} ms` : 'no sweep summary logged';
}

function gatewayLocks(files: LockFile[]): LockFile[] {
  return files.filter((file) => /(^|\/)gateway\.(state|[0-9a-f]{8})\.lock$/.test(file.path));
}

function bytesOf(volumeUsed: Volume, files: LockFile[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file.path, readFileSync(`${volumeUsed.stateDir}/${file.path}`, 'latin1')]));
}

describe('a crashed gateway, restarted in a new container (new hostname)', () => {
  let crashed: Volume;
  let snapshot: string;

  beforeAll(async () => {
    crashed = volume('crash');
    const first = track(startGateway(crashed, 'box-a', PORT));
    const readyMs = await first.waitFor(READY, COLD_START_MS);
    expect(first.httpStatus(PORT)).toBe(200);
    await first.kill();
    running.delete(first);
    const left = readLeftovers(crashed.stateDir);
    expect(gatewayLocks(left.files)).toHaveLength(2);
    expect(gatewayOwnerRow(left)).toBeDefined();
    console.log(`cold start to [gateway] ready: ${readyMs} ms; SIGKILLed; left ${left.files.map((f) => f.path).join(', ')} and gateway-owner/global`);
    snapshot = snapshotVolume(crashed);
  });

  /** The crash is valid only while the dead owner's row has not expired (last heartbeat + 300 s). */
  function restoreCrash(): void {
    restoreVolume(crashed, snapshot);
    const row = gatewayOwnerRow(readLeftovers(crashed.stateDir));
    expect(row, 'the crashed gateway-owner row').toBeDefined();
    expect(row!.expires_at! - Date.now(), 'the crashed row must stay unexpired for the whole scenario').toBeGreaterThan(60_000);
  }

  it('a. plain: the new gateway exits 1 with "Another Gateway owner lease is still active"', async () => {
    restoreCrash();
    const restarted = track(startGateway(crashed, 'box-b', PORT));
    const exit = await restarted.exited;
    console.log(`a. plain restart exited ${exit.code} after ${exit.afterMs} ms`);
    expect(restarted.output).toMatch(OWNER_LEASE_REFUSAL);
    expect(restarted.output).not.toMatch(READY);
    expect(exit.code).toBe(1);
  });

  it('b. under lockguard (auto): ready, the two gateway locks and the gateway-owner row reported reclaimed', async () => {
    restoreCrash();
    const restarted = track(startGatewayUnderLockguard(crashed, 'box-c', PORT));
    const outcome = await readyOrExit(restarted);
    console.log(`b. under lockguard: ${outcome.ready ? `ready after ${outcome.ms} ms` : `exited ${outcome.code}`}; ${sweepSummary(restarted)}`);
    const reclaimed = reclaimedPaths(restarted);
    expect(reclaimed.filter((path) => /tmp\/openclaw-\d+\/gateway\.(state|[0-9a-f]{8})\.lock$/.test(path)), restarted.tail()).toHaveLength(2);
    expect(reclaimed.filter((path) => path.endsWith('#state_leases/gateway-owner/global'))).toHaveLength(1);
    expect(outcome.ready, restarted.tail()).toBe(true);
    expect(restarted.httpStatus(PORT)).toBe(200);
    // The row and the lock files now name the new gateway.
    const now = readLeftovers(crashed.stateDir);
    const row = gatewayOwnerRow(now)!;
    expect(JSON.parse(row.payload_json!).owner.host).toBe('box-c');
    for (const lock of gatewayLocks(now.files)) expect(lock.json?.ownerId).toBe(row.owner);
  });

  it('f. under lockguard (auto) while a CLI holds state/openclaw.sqlite open: still ready', async () => {
    restoreCrash();
    const cli = track(startDbHolder(crashed, 'cli-box'));
    await cli.waitFor(/^ready/m, 30_000);
    const restarted = track(startGatewayUnderLockguard(crashed, 'box-f', PORT));
    const outcome = await readyOrExit(restarted);
    console.log(`f. under lockguard with a DB holder: ${outcome.ready ? `ready after ${outcome.ms} ms` : `exited ${outcome.code}`}; ${sweepSummary(restarted)}`);
    const kept = lockguardLog(restarted).filter((line) => String(line.path ?? '').includes('gateway-owner'));
    expect(outcome.ready, `the gateway did not start; lockguard on the row: ${JSON.stringify(kept)}\n${restarted.tail(15)}`).toBe(true);
    expect(reclaimedPaths(restarted).filter((path) => path.endsWith('#state_leases/gateway-owner/global'))).toHaveLength(1);
    expect(restarted.httpStatus(PORT)).toBe(200);
  });
});

describe('c. safety: a live gateway in another container', () => {
  it('sweeps in auto, shared and exclusive mode, with a CLI holding the DB open, change nothing of it', async () => {
    const shared = volume('live');
    const live = track(startGateway(shared, 'box-live', PORT));
    await live.waitFor(READY, COLD_START_MS);
    const cli = track(startDbHolder(shared, 'cli-box'));
    await cli.waitFor(/^ready/m, 30_000);
    const before = readLeftovers(shared.stateDir);
    const locks = gatewayLocks(before.files);
    expect(locks).toHaveLength(2);
    const bytes = bytesOf(shared, locks);
    const row = gatewayOwnerRow(before)!;

    for (const mode of ['auto', 'shared', 'exclusive'] satisfies VolumeMode[]) {
      const { report } = await sweepInContainer(shared, `sweeper-${mode}`, mode);
      console.log(`c. ${mode}: ${report.locks.map((entry) => `${entry.path.replace(/^.*\/state\//, '')} ${entry.verdict} ${entry.reasons.join(',')}`).join('; ')}`);
      const touched = report.locks.filter((entry) => entry.action === 'reclaimed' || entry.action === 'would-reclaim');
      expect(touched, `${mode}: nothing may be reclaimed`).toEqual([]);
      expect(bytesOf(shared, locks), `${mode}: lock files byte-identical`).toEqual(bytes);
      const rowNow = gatewayOwnerRow(readLeftovers(shared.stateDir));
      expect(rowNow?.owner, `${mode}: row present, same owner`).toBe(row.owner);
      expect(rowNow?.payload_json).toBe(row.payload_json);
      expect(live.exit, `${mode}: the gateway still runs`).toBeUndefined();
      expect(live.httpStatus(PORT), `${mode}: the gateway still answers`).toBe(200);
    }
  });
});

describe('d. openclaw agent --local SIGKILLed mid-turn', () => {
  it('its agent-embedded locks and agent_database_leases rows are reclaimed by a sweep in the next container', async () => {
    const agentVolume = volume('agent');
    configureLocalModel(agentVolume, MODEL_PORT);
    const turn = track(startAgentTurn(agentVolume, 'agent-box', MODEL_PORT));
    const midTurnMs = await turn.waitFor(CHAT_CALL_HANGING, 120_000);
    await turn.kill();
    const left = readLeftovers(agentVolume.stateDir);
    const locks = gatewayLocks(left.files);
    console.log(`d. chat call in flight after ${midTurnMs} ms; SIGKILL left ${locks.length} gateway locks, ${left.agentDatabaseLeases.length} agent_database_leases rows`);
    expect(locks).toHaveLength(2);
    for (const lock of locks) expect(lock.json?.role).toBe('agent-embedded');
    expect(left.agentDatabaseLeases.length).toBeGreaterThan(0);
    for (const row of left.agentDatabaseLeases) {
      expect(row.owner_pid).toBe(locks[0]!.json?.pid);
      expect(row.owner_start_time).toBe(locks[0]!.json?.startTime);
    }

    const { report } = await sweepInContainer(agentVolume, 'next-box', 'auto');
    const after = readLeftovers(agentVolume.stateDir);
    const verdicts = report.locks.map((entry) => `${entry.path}: ${entry.verdict} ${entry.reasons.join(',')} ${entry.action}`).join('\n');
    expect(gatewayLocks(after.files), verdicts).toEqual([]);
    expect(after.agentDatabaseLeases, verdicts).toEqual([]);
  });
});

describe('e. post-exit: only the gateway child of lockguard is SIGKILLed', () => {
  it('nothing of that child is left: no lock file, no row', async () => {
    const own = volume('post-exit');
    const supervised = track(startGatewayUnderLockguard(own, 'box-e', PORT));
    await supervised.waitFor(READY, COLD_START_MS);
    const before = readLeftovers(own.stateDir);
    const lock = gatewayLocks(before.files)[0]!;
    const gateway = supervised.childrenOfPid1().find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('openclaw-gateway'));
    expect(gateway, 'the gateway child of lockguard').toBeDefined();
    process.kill(gateway!, 'SIGKILL');
    const exit = await supervised.exited;
    expect(exit.code, 'lockguard passes the kill on as 128+9').toBe(137);
    const after = readLeftovers(own.stateDir);
    const postExit = lockguardLog(supervised).find((line) => line.msg === 'post-exit sweep done');
    expect(postExit, supervised.tail()).toBeDefined();
    expect(lockFilesOnly(after.files).map((file) => file.path), `child pid ${lock.json?.pid} starttime ${lock.json?.startTime}`).toEqual([]);
    expect(gatewayOwnerRow(after), `the dead child's row (owner pid ${lock.json?.pid}, startedAt ticks ${lock.json?.startTime})`).toBeUndefined();
  });
});

describe('g. fs-safe sidecar locks, as OpenClaw takes them (issue 10, "What to build" 1)', () => {
  /**
   * A restart comes a moment after the crash: then what the dead process wrote clearly predates the
   * new container (lockguard gives times closer than 250 ms no meaning), as in every real restart.
   */
  async function aMomentLater(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }

  /** openclaw.json and the auth-profile store: the targets of OpenClaw's config and auth-profile locks. */
  function targets(sidecars: Volume): { config: string; authStore: string } {
    const agentDir = join(sidecars.stateDir, 'agents', 'main', 'agent');
    mkdirSync(agentDir, { recursive: true });
    writeFileSync(join(sidecars.stateDir, 'openclaw.json'), '{}\n');
    return { config: join(sidecars.stateDir, 'openclaw.json'), authStore: join(agentDir, 'openclaw-agent.sqlite') };
  }

  it('a SIGKILLed holder\'s openclaw.json.lock is reclaimed; a live holder\'s lock in another container is kept byte for byte', async () => {
    const sidecars = volume('sidecars');
    const { config, authStore } = targets(sidecars);
    const dead = track(startFileLockHolder(sidecars, 'box-dead', [config]));
    await dead.waitFor(/^ready$/m, 60_000);
    await dead.kill();
    const live = track(startFileLockHolder(sidecars, 'box-live', [authStore]));
    await live.waitFor(/^ready$/m, 60_000);
    const liveLock = 'agents/main/agent/openclaw-agent.sqlite.lock';
    const liveBytes = bytesOf(sidecars, [{ path: liveLock } as LockFile]);

    await aMomentLater();
    const { report } = await sweepInContainer(sidecars, 'next-box', 'auto');
    const verdicts = report.locks.map((entry) => `${entry.path}: ${entry.verdict} ${entry.reasons.join(',')} ${entry.action}`).join('\n');
    expect(lockFilesOnly(readLeftovers(sidecars.stateDir).files).map((file) => file.path), verdicts).toEqual([liveLock]);
    expect(bytesOf(sidecars, [{ path: liveLock } as LockFile])).toEqual(liveBytes);
    // OpenClaw's next config writer takes the lock at once.
    const writer = track(startFileLockHolder(sidecars, 'box-writer', [config]));
    await writer.waitFor(/^ready$/m, 30_000);
  });

  it('a dead reclaimer\'s .reclaim guard and the stale lock under it are cleared, so OpenClaw\'s next writer no longer times out', async () => {
    const sidecars = volume('guard');
    const { config } = targets(sidecars);
    const holder = track(startFileLockHolder(sidecars, 'box-g1', [config]));
    await holder.waitFor(/^ready$/m, 60_000);
    await holder.kill();
    const reclaimer = track(startReclaimerThatHangs(sidecars, 'box-g2', config));
    await reclaimer.waitFor(/^guarded$/m, 60_000);
    await reclaimer.kill();
    expect(readLeftovers(sidecars.stateDir).files.map((file) => `${file.path} ${file.type}`)).toEqual(['openclaw.json.lock file', 'openclaw.json.lock.reclaim directory']);

    await aMomentLater();
    const { report } = await sweepInContainer(sidecars, 'next-box', 'auto');
    const verdicts = report.locks.map((entry) => `${entry.path}: ${entry.verdict} ${entry.reasons.join(',')} ${entry.action}`).join('\n');
    expect(readLeftovers(sidecars.stateDir).files, verdicts).toEqual([]);
    const writer = track(startFileLockHolder(sidecars, 'box-writer', [config]));
    await writer.waitFor(/^ready$/m, 30_000);
  });
});
