// The flagship on a real Docker engine (issue 10, item 5): the real OpenClaw gateway
// (openclaw@2026.9.6) is SIGKILLed with `docker kill`, and compose recreates its container: a
// new container, so a new hostname (its id), on the same volume. That is OpenClaw issue #155644.
// Under lockguard the new gateway is ready and answers HTTP on its loopback; with the gateway
// as the entrypoint it exits 1 on the dead container's gateway-owner lease (the control).
import { afterAll, describe, expect, it } from 'vitest';
import { Compose } from './compose.js';
import { kill, lockguardLogs, logLines, state, waitExit, waitForLine } from './docker.js';
import { must, run } from './sh.js';
import { httpProbe, httpStatusOf, OPENCLAW_VERSION, OWNER_LEASE_REFUSAL, READY } from '../openclaw-peer/harness.js';

const compose = Compose.detect();
const PROFILE = 'openclaw-restart';
const PORT = 18789;
/** A gateway's cold start is 6-9 s on an idle 2-core machine, and several times that under load. */
const READY_TIMEOUT_MS = 150_000;
const LOCK_DIR = '/home/node/.openclaw/tmp/openclaw-1000';

const observed: string[] = [];

function note(text: string): void {
  observed.push(text);
  console.log(`[openclaw-restart] ${text}`);
}

afterAll(() => {
  console.log(`\nobserved (openclaw@${OPENCLAW_VERSION}):\n${observed.map((line) => `  ${line}`).join('\n')}\n`);
});

function hostnameOf(id: string): string {
  return must('docker', ['inspect', '--format', '{{.Config.Hostname}}', id]).stdout.trim();
}

/** OpenClaw skips its gateway locks under VITEST or NODE_ENV=test: the test runner's must not leak in. */
function expectNoTestRunnerEnv(id: string): void {
  const env = JSON.parse(must('docker', ['inspect', '--format', '{{json .Config.Env}}', id]).stdout) as string[];
  expect(env.filter((entry) => entry.startsWith('VITEST') || entry === 'NODE_ENV=test')).toEqual([]);
}

/** GET / on the container's own loopback, asked from inside it with node's fetch. */
function httpStatusIn(id: string): number | string {
  const ran = run('docker', ['exec', id, 'node', '-e', httpProbe(PORT)], { timeoutMs: 30_000 });
  return httpStatusOf(ran.stdout, ran.stderr);
}

interface Crash {
  id: string;
  hostname: string;
  readyMs: number;
  lockFiles: string[];
}

/** Starts the service's first container, waits for the ready gateway, and SIGKILLs it (exit 137). */
async function readyThenKilled(service: string): Promise<Crash> {
  const id = compose.up(PROFILE, service);
  expectNoTestRunnerEnv(id);
  const ready = await waitForLine(id, READY, { timeoutMs: READY_TIMEOUT_MS });
  const readyMs = ready.at - state(id).startedAt;
  expect(httpStatusIn(id)).toBe(200);
  const lockFiles = must('docker', ['exec', id, 'ls', LOCK_DIR]).stdout.split('\n').filter((name) => name.endsWith('.lock'));
  kill(id);
  expect(waitExit(id)).toBe(137);
  return { id, hostname: hostnameOf(id), readyMs, lockFiles };
}

/** The same service in a new container on the same volume. */
function recreated(service: string, crash: Crash): { id: string; hostname: string; startedAt: number } {
  const id = compose.recreate(PROFILE, service);
  const hostname = hostnameOf(id);
  expect(id).not.toBe(crash.id);
  expect(hostname).not.toBe(crash.hostname);
  return { id, hostname, startedAt: state(id).startedAt };
}

describe(`the real gateway (openclaw@${OPENCLAW_VERSION}): docker kill, then a new container on the same volume`, () => {
  it('under lockguard: the new container reclaims the dead gateway\'s locks and lease row, and is ready', async () => {
    const crash = await readyThenKilled('openclaw-lockguard');
    note(`lockguard, first container ${crash.hostname}: ready ${crash.readyMs} ms after start; docker kill → 137; left ${crash.lockFiles.join(', ')} and the gateway-owner row`);
    expect(crash.lockFiles).toEqual(expect.arrayContaining(['gateway.state.lock', expect.stringMatching(/^gateway\.[0-9a-f]{8}\.lock$/)]));

    const next = recreated('openclaw-lockguard', crash);
    const ready = await waitForLine(next.id, READY, { timeoutMs: READY_TIMEOUT_MS });
    const reclaimed = lockguardLogs(next.id, 'reclaimed lock').map((record) => ({ path: String(record.path), reasons: record.reasons as string[] }));
    const sweep = lockguardLogs(next.id, 'run done')[0];
    note(`lockguard, new container ${next.hostname}: reclaimed ${reclaimed.map((r) => `${r.path.includes('#') ? r.path.slice(r.path.indexOf('#') + 1) : r.path.split('/').pop()} [${r.reasons.join(', ')}]`).join('; ')} in a ${String(sweep?.durationMs)} ms sweep; ready ${ready.at - next.startedAt} ms after start`);
    expect(reclaimed.map((r) => r.path)).toEqual(
      expect.arrayContaining([`${LOCK_DIR}/gateway.state.lock`, expect.stringMatching(/\/gateway\.[0-9a-f]{8}\.lock$/), expect.stringMatching(/#state_leases\/gateway-owner\/global$/)]),
    );
    expect(logLines(next.id).some((line) => OWNER_LEASE_REFUSAL.test(line.text))).toBe(false);
    const status = httpStatusIn(next.id);
    note(`lockguard, new container: GET http://127.0.0.1:${PORT}/ inside it → ${status}`);
    expect(status).toBe(200);
    expect(state(next.id).running).toBe(true);
  });

  it('plain, the gateway as the entrypoint (the control): the new container exits 1, "Another Gateway owner lease is still active"', async () => {
    const crash = await readyThenKilled('openclaw-plain');
    note(`plain, first container ${crash.hostname}: ready ${crash.readyMs} ms after start; docker kill → 137`);

    const next = recreated('openclaw-plain', crash);
    const exitCode = waitExit(next.id, READY_TIMEOUT_MS);
    const refusal = logLines(next.id).find((line) => OWNER_LEASE_REFUSAL.test(line.text));
    note(`plain, new container ${next.hostname}: exit ${exitCode} after ${state(next.id).finishedAt - next.startedAt} ms: "${refusal?.text.trim() ?? 'no refusal logged'}"`);
    expect(refusal, logLines(next.id).slice(-10).map((line) => line.text).join('\n')).toBeDefined();
    expect(logLines(next.id).some((line) => READY.test(line.text))).toBe(false);
    expect(exitCode).toBe(1);
  });
});
