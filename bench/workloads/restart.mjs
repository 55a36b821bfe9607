// 7. Restart to ready with the real gateway (openclaw@2026.9.6, test/openclaw-peer): OpenClaw
// issue #155644. Each round, interleaved:
//
//   cold start          plain `openclaw gateway run` on an empty volume, PID 1 of a container;
//                       SIGKILLed once ready, which leaves the crash the other subjects restart on
//   lockguard restart   a new container (new hostname) on that crash: `lockguard -- openclaw …`
//   plain, cleaned      the same restart without lockguard, the leftovers (gateway lock files and
//                       the gateway-owner row) removed by hand first: the like-for-like baseline,
//                       as it starts from the very volume lockguard leaves (a start on an empty
//                       volume does more: it creates the state)
//   plain restart       the same restart without lockguard, as a restart policy would run it:
//                       tried again at once after each exit, until ready or the cap (measured
//                       rounds only: it is refused every time, and the cap is the bench's time)
//
// A gateway takes seconds to get ready, and the figures of a loaded machine swing by more than
// lockguard's cost, so what lockguard adds is also read where it happens: the gap between its
// own start and the gateway's, from their /proc start times.
// Containers are the peer harness's (PID + UTS + net + mount namespaces, their own hostname).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { interleave } from '../lib/interleave.mjs';
import { progress } from '../lib/progress.mjs';
import { limitCheck, makeRow, ratioCheck } from '../lib/report.mjs';
import {
  clockTicksPerSecond,
  ensurePeerInstalled,
  makeVolume,
  OPENCLAW_VERSION,
  OWNER_LEASE_REFUSAL,
  READY,
  removeVolume,
  restoreVolume,
  snapshotVolume,
  startGateway,
} from '../../test/openclaw-peer/harness.ts';
import { starttimeOf } from '../../harness/run.ts';

const PORT = 18789;
const READY_TIMEOUT_MS = 120_000;

const TITLE = `7. Restart to ready, real gateway (openclaw@${OPENCLAW_VERSION}, issue #155644)`;

export async function restartWorkload(ctx) {
  const { restartWarmup: warmup, restartRuns: runs, restartCapMs: capMs } = ctx.config;
  const missing = ctx.tools.unshare.missing ?? (process.getuid() === 0 ? undefined : 'needs root: each container is unshare --pid --uts --net --mount');
  if (missing) return { id: 'restart', title: TITLE, missing };
  ensurePeerInstalled(progress);
  const volume = makeVolume('bench');
  try {
    const results = await interleave('restart to ready', subjects(ctx, volume, capMs), { warmup, runs });
    return report(results, { warmup, runs, capMs });
  } finally {
    removeVolume(volume);
  }
}

function subjects(ctx, volume, capMs) {
  const lockguard = [ctx.node, ctx.lockguard.entry, '--log-format', 'json', '--state-dir', volume.stateDir, '--'];
  let round = 0;
  let crash; // the snapshot of this round's crash, made by the cold start
  const fromCrash = () => {
    if (!crash) throw new Error('no crash to restart from: this round\'s cold start failed');
    restoreVolume(volume, crash);
  };
  return [
    {
      name: 'cold start (plain, empty volume)',
      run: async () => {
        crash = undefined;
        round += 1;
        emptyVolume(volume);
        const gateway = startGateway(volume, `cold-${round}`, PORT);
        const readyMs = await readyOrThrow(gateway);
        await gateway.kill();
        crash = snapshotVolume(volume);
        return { readyMs };
      },
    },
    {
      name: 'restart under lockguard (new hostname)',
      missing: ctx.lockguard.run.missing,
      run: async () => {
        fromCrash();
        const container = startGateway(volume, `lockguard-${round}`, PORT, lockguard);
        const readyMs = await readyOrThrow(container);
        const sample = { readyMs, ...lockguardFigures(container) };
        await container.kill();
        return sample;
      },
    },
    {
      name: 'restart plain, leftovers removed by hand',
      run: async () => {
        fromCrash();
        removeGatewayLeftovers(volume.stateDir);
        const gateway = startGateway(volume, `cleaned-${round}`, PORT);
        const readyMs = await readyOrThrow(gateway);
        await gateway.kill();
        return { readyMs };
      },
    },
    {
      name: `restart plain (new hostname), retried until ready, cap ${capMs / 1000} s`,
      warmup: false,
      run: async () => {
        fromCrash();
        return plainUntilReadyOrCap(volume, `plain-${round}`, capMs);
      },
    },
  ];
}

async function readyOrThrow(container) {
  try {
    return await container.waitFor(READY, READY_TIMEOUT_MS);
  } catch (error) {
    await container.kill();
    throw error;
  }
}

/**
 * What lockguard did before the gateway ran, read while both run: the gap between lockguard's
 * start and the gateway's (their /proc start times, in clock ticks), and its sweep as it logged it.
 */
function lockguardFigures(container) {
  const lockguardPid = container.pid1();
  const [gatewayPid] = container.childrenOfPid1();
  if (gatewayPid === undefined) throw new Error('lockguard has no child: the gateway is not running under it');
  const log = container.output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  const sweep = log.find((line) => line.msg === 'run done');
  const reclaimed = log.filter((line) => line.msg === 'reclaimed lock').length;
  if (reclaimed < 3) throw new Error(`lockguard reclaimed ${reclaimed} entries, expected the 2 gateway locks and the gateway-owner row:\n${container.tail(15)}`);
  return {
    headStartMs: ((starttimeOf(gatewayPid) - starttimeOf(lockguardPid)) * 1000) / clockTicksPerSecond(),
    sweepMs: sweep?.durationMs,
    reclaimed,
  };
}

/**
 * A restart policy at its fastest: each exit is followed at once by another try in the same
 * (new) container, as `restart: always` restarts it with the hostname it was created with.
 */
async function plainUntilReadyOrCap(volume, hostname, capMs) {
  const begun = performance.now();
  let refusals = 0;
  let firstExitMs;
  while (performance.now() - begun < capMs) {
    const gateway = startGateway(volume, hostname, PORT);
    const outcome = await Promise.race([
      gateway.waitFor(READY, capMs).then(() => 'ready', () => 'not ready'),
      gateway.exited.then(() => 'exited'),
    ]);
    if (outcome === 'ready') {
      const readyMs = Math.round(performance.now() - begun);
      await gateway.kill();
      return { readyMs, refusals, firstExitMs };
    }
    const exit = await gateway.kill();
    firstExitMs ??= exit.afterMs;
    if (!OWNER_LEASE_REFUSAL.test(gateway.output)) throw new Error(`the plain restart exited ${exit.code ?? exit.signal} for another reason:\n${gateway.tail(10)}`);
    refusals += 1;
  }
  return { readyMs: undefined, cappedMs: capMs, refusals, firstExitMs };
}

function emptyVolume(volume) {
  for (const dir of [volume.stateDir, volume.home]) for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** What lockguard reclaims, removed without it: the gateway lock files and the gateway-owner row. */
function removeGatewayLeftovers(stateDir) {
  const lockDir = join(stateDir, 'tmp', `openclaw-${process.getuid()}`);
  for (const name of readdirSync(lockDir)) if (/^gateway\.(state|[0-9a-f]{8})\.lock$/.test(name)) rmSync(join(lockDir, name));
  const db = new DatabaseSync(join(stateDir, 'state', 'openclaw.sqlite'));
  try {
    db.prepare("DELETE FROM state_leases WHERE scope = 'gateway-owner'").run();
  } finally {
    db.close();
  }
}

function report(results, { warmup, runs, capMs }) {
  const [cold, underLockguard, cleaned, plain] = results;
  const ready = (result) => makeRow(result, { metric: 'time to ready', unit: 'ms', pick: (s) => s.readyMs });
  const rows = [
    ready(cold),
    ready(underLockguard),
    makeRow(underLockguard, { subject: '  lockguard start → gateway start', metric: 'start times', unit: 'ms', pick: (s) => s.headStartMs }),
    makeRow(underLockguard, { subject: '  lockguard sweep', metric: 'in-process', unit: 'ms', pick: (s) => s.sweepMs }),
    ready(cleaned),
    makeRow(plain, { metric: 'refusals before the cap', unit: 'exits', pick: (s) => s.refusals }),
    makeRow(plain, { metric: 'first refusal (exit 1)', unit: 'ms', pick: (s) => s.firstExitMs }),
  ];
  const [coldRow, lockguardRow, headStart, , cleanedRow] = rows;
  const everReady = plain.samples.filter((s) => s.readyMs !== undefined);
  return {
    id: 'restart',
    title: TITLE,
    rows,
    checks: [
      ratioCheck('restart under lockguard / cold start', lockguardRow, coldRow),
      differenceCheck('restart under lockguard − cold start', lockguardRow, coldRow),
      ratioCheck('restart under lockguard / plain, leftovers removed by hand', lockguardRow, cleanedRow),
      differenceCheck('restart under lockguard − plain, leftovers removed by hand', lockguardRow, cleanedRow),
      limitCheck('lockguard adds: its start → the gateway\'s start (median)', headStart.median, 'ms', 100, headStart.missing),
      plainReadyCheck(plain, capMs, everReady),
    ],
    notes: [
      `${warmup} warm-up + ${runs} measured rounds, the subjects interleaved in each; time to ready = container start → "[gateway] ready"`,
      'each round\'s cold start is SIGKILLed once ready; the restarts start from a copy of what it left (two gateway lock files, the gateway-owner row naming its hostname)',
      'differences of medians carry the gateway\'s own jitter (seconds on a loaded machine); what lockguard adds is the start-time gap, checked against the goal',
      'lockguard start → gateway start: the gateway\'s /proc start time minus lockguard\'s (PID 1), in clock ticks: its Node start-up, sweep (settle included) and spawn; the gateway\'s own start is the same with or without it',
      `the plain restart is tried again at once after each exit (a restart policy at its fastest) and given up at ${capMs / 1000} s; OpenClaw refuses it until the row expires, 300 s after the dead gateway's last heartbeat`,
    ],
  };
}

/** Median minus median, in ms, checked against `max` when given. */
function differenceCheck(name, row, base, max) {
  const missing = row.missing ?? base.missing;
  return limitCheck(name, missing ? undefined : row.median - base.median, 'ms', max, missing);
}

function plainReadyCheck(plain, capMs, everReady) {
  const name = 'restart plain (new hostname): time to ready';
  if (plain.missing || plain.samples.length === 0) return limitCheck(name, undefined, 'ms', undefined, plain.missing ?? plain.failures?.[0] ?? 'no samples');
  if (everReady.length === plain.samples.length) return { ...limitCheck(name, Math.max(...everReady.map((s) => s.readyMs)), 'ms') };
  return { name, value: capMs, unit: 'ms', status: `capped: still refused in ${plain.samples.length - everReady.length} of ${plain.samples.length} rounds`, capped: true };
}
