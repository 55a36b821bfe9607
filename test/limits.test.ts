// Resource limits (issue 5): a sweep over a 100,000-entry sessions directory under `ulimit -n 64`
// and under a 64 MiB heap (--max-old-space-size=64), alone and together, finishes correctly.
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_PID, holdOpen, inoOf, sweep, type HeldLock } from './helpers/stress-lockguard.js';

const COUNT = 100_000;
const LOCKS = 2_000;
let root: string;
let state: string;
let sessions: string;
let held: HeldLock;

function plantStaleLocks(): void {
  const payload = JSON.stringify({ pid: DEAD_PID, createdAt: new Date(Date.now() - 60_000).toISOString(), starttime: 1 });
  for (let i = 0; i < LOCKS; i++) writeFileSync(join(sessions, `s${i}.jsonl.lock`), payload);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lockguard-limits-'));
  state = join(root, 'state');
  sessions = join(state, 'agents', 'main', 'sessions');
  mkdirSync(sessions, { recursive: true });
  for (let i = 0; i < COUNT - LOCKS - 1; i++) closeSync(openSync(join(sessions, `s${i}.jsonl`), 'w'));
  held = await holdOpen(join(sessions, 'live.jsonl.lock'));
}, 120_000);
afterAll(async () => {
  await held?.stop();
  rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('a sweep over 100,000 entries under resource limits', () => {
  const cases = [
    ['ulimit -n 64', 'ulimit -n 64; exec "$@"', []],
    ['--max-old-space-size=64', 'exec "$@"', ['--max-old-space-size=64']],
    ['ulimit -n 64 and --max-old-space-size=64', 'ulimit -n 64; exec "$@"', ['--max-old-space-size=64']],
  ] as const;
  it.each(cases)('%s: finishes, every stale lock reclaimed, the live one kept', { timeout: 120_000 }, async (_, bashScript, nodeFlags) => {
    plantStaleLocks();
    expect(readdirSync(sessions).length).toBe(COUNT);
    const run = await sweep(state, ['--volume', 'exclusive'], { bashScript, nodeFlags: [...nodeFlags] });
    console.log(`[limits] ${_}: exit ${run.code} signal ${run.signal}; ${JSON.stringify(run.report?.summary)}; ${Math.round(run.ms)} ms; stderr ${JSON.stringify(run.stderr.slice(0, 300))}`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.report!.summary).toMatchObject({ locks: LOCKS + 1, live: 1, stale: LOCKS, reclaimed: LOCKS, errors: 0 });
    expect(inoOf(join(sessions, 'live.jsonl.lock'))).toBe(held.ino);
    expect(readdirSync(sessions).length).toBe(COUNT - LOCKS);
  });
});
