// The container scenarios of docker-compose.test.yml on a real Docker engine (issue 4).
// Each test drives one profile and prints what it observed: exit codes, how long the
// gateway took to get its locks, and the reasons lockguard gave. A summary closes the run.
import { afterAll, describe, expect, it } from 'vitest';
import { Compose } from './compose.js';
import { sleep } from './sh.js';
import type { Report } from '../../src/report/types.js';
import { jsonReportOf, kill, lockguardLogs, logLines, readFileIn, start, state, stop, waitExit, waitForLine, type LogLine } from './docker.js';

const compose = Compose.detect();
const STATE = '/home/node/.openclaw';
const MAIN_LOCK = `${STATE}/agents/main/sessions/main.jsonl.lock`;
const ACQUIRED = (session: string) => new RegExp(`gateway: pid (\\d+) acquired ${session.replace('/', '\\/')} in ([\\d.]+) ms`);

const observed: string[] = [];

/**
 * Locks are held a while before the kill, as a gateway does. lockguard takes lock and
 * namespace-birth times closer than its clock slack (1 s) to prove nothing: a lock written
 * within about 1 s before the restart is kept as unknown (created-after-namespace).
 */
const HOLD_BEFORE_KILL_MS = 3_000;

function note(scenario: string, text: string): void {
  observed.push(`${scenario.padEnd(16)} ${text}`);
  console.log(`[${scenario}] ${text}`);
}

afterAll(() => {
  console.log(`\nobserved:\n${observed.map((line) => `  ${line}`).join('\n')}\n`);
});

interface Acquired {
  pid: number;
  gatewayMs: number; // the gateway's own wait for the lock
  sinceStartMs: number; // container start → the "acquired" line (lockguard's sweep and node start-up included)
}

function acquiredOf(line: LogLine, session: string, startedAt: number): Acquired {
  const match = ACQUIRED(session).exec(line.text);
  if (!match) throw new Error(`not an "acquired ${session}" line: ${line.text}`);
  return { pid: Number(match[1]), gatewayMs: Number(match[2]), sinceStartMs: line.at - startedAt };
}

function describeAcquired(session: string, acquired: Acquired): string {
  return `${session} by pid ${acquired.pid}: gateway waited ${acquired.gatewayMs.toFixed(1)} ms, ${acquired.sinceStartMs} ms after container start`;
}

function lockOf(report: Report, session: string) {
  const [agent, id] = session.split('/');
  const entry = report.locks.find((lock) => lock.path.endsWith(`/agents/${agent}/sessions/${id}.jsonl.lock`));
  if (!entry) throw new Error(`the report lists no lock for ${session}: ${report.locks.map((lock) => lock.path).join(', ') || 'no locks'}`);
  return entry;
}

/** In run mode lockguard writes nothing to stdout: every stdout line is the gateway's. */
function expectOnlyGatewayOnStdout(id: string): void {
  const foreign = logLines(id).filter((line) => line.stream === 'stdout' && !line.text.startsWith('gateway: '));
  expect(foreign.map((line) => line.text)).toEqual([]);
}

function reclaimedReasons(id: string, since: number): string {
  const records = lockguardLogs(id, 'reclaimed lock', since);
  return records.map((record) => `pid ${String(record.pid)} [${(record.reasons as string[] | undefined)?.join(', ') ?? '?'}]`).join('; ') || 'none logged';
}

/** Start a crash-restart service, let it take both locks, SIGKILL it (exit 137) and start it again. */
async function crashAndRestart(service: string) {
  const id = compose.up('crash-restart', service);
  const first = acquiredOf(await waitForLine(id, ACQUIRED('main/main')), 'main/main', state(id).startedAt);
  await waitForLine(id, ACQUIRED('ops/ops'));
  const leftover = JSON.parse(readFileIn(id, MAIN_LOCK) ?? '{}') as { pid?: number };
  await sleep(HOLD_BEFORE_KILL_MS);
  kill(id);
  expect(waitExit(id)).toBe(137);
  start(id);
  return { id, first, leftover, restartedAt: state(id).startedAt };
}

describe('crash-restart', () => {
  it('with lockguard: SIGKILLed while holding locks, started again, it gets its locks at once', async () => {
    const { id, first, leftover, restartedAt } = await crashAndRestart('crash-lockguard');
    const main = acquiredOf(await waitForLine(id, ACQUIRED('main/main'), { count: 2 }), 'main/main', restartedAt);
    const ops = acquiredOf(await waitForLine(id, ACQUIRED('ops/ops'), { count: 2 }), 'ops/ops', restartedAt);

    note('crash-restart', `lockguard, first run: ${describeAcquired('main/main', first)}`);
    note('crash-restart', `lockguard: docker kill → exit 137; leftover lock names pid ${leftover.pid}`);
    const reused = main.pid === leftover.pid ? 'the same pid as the leftover lock' : 'another pid';
    note('crash-restart', `lockguard, after restart (${reused}): ${describeAcquired('main/main', main)}; ${describeAcquired('ops/ops', ops)}`);
    note('crash-restart', `lockguard reclaimed: ${reclaimedReasons(id, restartedAt)}`);
    expect(main.gatewayMs).toBeLessThan(5_000);
    expect(ops.gatewayMs).toBeLessThan(5_000);
    expectOnlyGatewayOnStdout(id);

    stop(id);
    expect(state(id).exitCode).toBe(0);
  });

  it('with plain node as entrypoint: the restarted gateway waits on its old lock and times out', async () => {
    const { id, first, leftover, restartedAt } = await crashAndRestart('crash-plain');
    const exitCode = waitExit(id, 60_000);
    const failure = await waitForLine(id, /session file locked/);

    note('crash-restart', `plain node, first run: ${describeAcquired('main/main', first)}`);
    note('crash-restart', `plain node: docker kill → exit 137; leftover lock names pid ${leftover.pid}`);
    note('crash-restart', `plain node, after restart: exit ${exitCode} after ${failure.at - restartedAt} ms: "${failure.text}"`);
    expect(exitCode).toBe(1);
    expect(failure.text).toContain(`pid=${leftover.pid}`);
  });
});

describe('init-container', () => {
  it('a sweep service reclaims the killed gateway\'s lock and exits 0 before the gateway starts', async () => {
    const gateway = compose.up('init-container', 'init-gateway');
    await waitForLine(gateway, ACQUIRED('main/main'));
    const sweeper = compose.idOf('init-container', 'init-sweep');
    expect(state(sweeper).exitCode).toBe(0);
    await sleep(HOLD_BEFORE_KILL_MS);
    kill(gateway);
    expect(waitExit(gateway)).toBe(137);

    compose.up('init-container', 'init-gateway'); // runs the sweep again and waits for its success
    const swept = state(sweeper);
    const gatewayStart = state(gateway).startedAt;
    const acquired = acquiredOf(await waitForLine(gateway, ACQUIRED('main/main'), { count: 2 }), 'main/main', gatewayStart);
    const report = jsonReportOf(sweeper);
    const lock = lockOf(report, 'main/main');

    note('init-container', `sweep exit ${swept.exitCode}; lock of pid ${lock.owner.pid}: ${lock.verdict} [${lock.reasons.join(', ')}] → ${lock.action}; volume ${report.volumes[0]?.mode} (${report.volumes[0]?.basis})`);
    note('init-container', `gateway started ${gatewayStart - swept.finishedAt} ms after the sweep finished; ${describeAcquired('main/main', acquired)}`);
    expect(swept.exitCode).toBe(0);
    expect(swept.finishedAt).toBeLessThanOrEqual(gatewayStart);
    expect(lock).toMatchObject({ verdict: 'stale', action: 'reclaimed' });
    expect(acquired.gatewayMs).toBeLessThan(5_000);
  });
});

describe('two live containers, one volume', () => {
  it('B keeps A\'s lock byte for byte and says why: held-open, shared volume', async () => {
    const a = compose.up('two-live', 'shared-a', { noDeps: true });
    await waitForLine(a, ACQUIRED('main/main'));
    const bytesBefore = readFileIn(a, MAIN_LOCK);

    const sweeper = compose.up('two-live', 'shared-b-sweep', { noDeps: true });
    const sweepExit = waitExit(sweeper);
    const report = jsonReportOf(sweeper);
    const lock = lockOf(report, 'main/main');
    const b = compose.up('two-live', 'shared-b', { noDeps: true });
    const bAcquired = acquiredOf(await waitForLine(b, ACQUIRED('other/b')), 'other/b', state(b).startedAt);
    const bJudged = lockguardLogs(b, 'judged lock').map((r) => `${String(r.path).split('/').slice(-3).join('/')}: ${String(r.verdict)} [${(r.reasons as string[]).join(', ')}]`);

    note('two-live', `B sweep exit ${sweepExit}; A's lock (pid ${lock.owner.pid}): ${lock.verdict} [${lock.reasons.join(', ')}] → ${lock.action}; volume ${report.volumes[0]?.mode} (${report.volumes[0]?.basis})`);
    note('two-live', `B in run mode (COPY --from image): judged ${bJudged.join('; ') || 'nothing logged'}; ${describeAcquired('other/b', bAcquired)}`);
    expect(sweepExit).toBe(0);
    expect(lock).toMatchObject({ verdict: 'live', action: 'kept' });
    expect(lock.reasons).toContain('held-open');
    expect(report.volumes[0]).toMatchObject({ mode: 'shared', basis: 'presence-lock' });
    expect(readFileIn(a, MAIN_LOCK)).toBe(bytesBefore);
    expect(state(a).running).toBe(true);
    note('two-live', `A's lock unchanged byte for byte (${bytesBefore?.length} bytes), A still running`);
  });
});

describe('shared PID namespace', () => {
  it('a sidecar (another user) with pid: service:gateway inspects the gateway\'s locks as live-pid', async () => {
    const gateway = compose.up('shared-pidns', 'pidns-gateway', { noDeps: true });
    const acquired = acquiredOf(await waitForLine(gateway, ACQUIRED('main/main')), 'main/main', state(gateway).startedAt);
    const sidecar = compose.up('shared-pidns', 'pidns-inspect', { noDeps: true });
    const exitCode = waitExit(sidecar);
    const report = jsonReportOf(sidecar);
    const lock = lockOf(report, 'main/main');

    note('shared-pidns', `inspect exit ${exitCode}; pid 1 is ${report.namespace.pid1?.argv.slice(0, 2).join(' ')} (self: ${report.namespace.pid1?.isSelf}); lock of pid ${lock.owner.pid} (gateway pid ${acquired.pid}): ${lock.verdict} [${lock.reasons.join(', ')}] → ${lock.action}`);
    expect(exitCode).toBe(0);
    expect(report.namespace.pid1?.isSelf).toBe(false);
    expect(lock.owner.pid).toBe(acquired.pid);
    expect(lock.verdict).toBe('live');
    expect(lock.reasons).toContain('live-pid');
    expect(lock.action).toBe('kept');
  });
});

describe('graceful stop', () => {
  it('docker stop delivers TERM through lockguard: locks released, exit code 0', async () => {
    const id = compose.up('graceful-stop', 'stop-gateway', { noDeps: true });
    await waitForLine(id, ACQUIRED('main/main'));
    const tookMs = stop(id, 20);
    const released = await waitForLine(id, /SIGTERM, released locks, exiting 0/);
    const exitCode = state(id).exitCode;
    const inspector = compose.up('graceful-stop', 'stop-inspect', { noDeps: true });
    const inspectExit = waitExit(inspector);
    const left = jsonReportOf(inspector).summary.locks;

    note('graceful-stop', `docker stop took ${tookMs} ms; container exit ${exitCode}; gateway said "${released.text}"; locks left on the volume: ${left} (inspect exit ${inspectExit})`);
    expect(exitCode).toBe(0);
    expect(inspectExit).toBe(0);
    expect(left).toBe(0);
  });
});

describe('zombies', () => {
  it('a child that orphans grandchildren leaves no zombie under lockguard', async () => {
    const id = compose.up('zombies', 'zombies-lockguard', { noDeps: true });
    const exitCode = waitExit(id);
    const line = await waitForLine(id, /zombies left: \d+/);
    note('zombies', `lockguard as PID 1: exit ${exitCode}: "${line.text}"`);
    expect(exitCode).toBe(0);
  });

  it('control: with node as PID 1 the same orphans stay zombies', async () => {
    const id = compose.up('zombies', 'zombies-plain', { noDeps: true });
    const exitCode = waitExit(id);
    const line = await waitForLine(id, /zombies left: \d+/);
    note('zombies', `node as PID 1 (control): exit ${exitCode}: "${line.text}"`);
    expect(exitCode).toBe(1);
  });
});
