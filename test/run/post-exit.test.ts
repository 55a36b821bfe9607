// A gateway killed by SIGKILL leaves its locks behind; the sweep after its exit proves the owner
// dead by its pid and starttime, and removes them: the session lock of OpenClaw before 2026.8, and
// 2026.9's gateway lock and gateway-owner row.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childrenOf, NODE } from '../helpers/run.js';
import { createStateDb, leaseKeys } from '../openclaw/helpers/state-db.js';
import { FIXTURES, startSupervising, tempDir } from './harness.js';

const GATEWAY = fileURLToPath(new URL('../../examples/demo-gateway/gateway.mjs', import.meta.url));

describe('post-exit sweep, lockguard as PID 1', () => {
  it('removes the session lock of a SIGKILLed gateway before exiting 137, and logs it', async () => {
    const state = tempDir('lockguard-state-');
    const lock = join(state, 'agents', 'main', 'sessions', 's1.jsonl.lock');
    const run = startSupervising(['--state-dir', state, '--', NODE, GATEWAY, '--state', state, '--session', 'main/s1']);
    await run.stdoutMatches(/acquired main\/s1/);
    expect(existsSync(lock)).toBe(true);
    const [gateway] = childrenOf(await run.trapped());
    process.kill(gateway!, 'SIGKILL');
    const outcome = await run.done;
    expect(outcome.code).toBe(137);
    expect(existsSync(lock)).toBe(false);
    expect(outcome.logs).toContainEqual(expect.objectContaining({ msg: 'reclaimed lock', path: lock }));
  });
});

describe('post-exit sweep of an OpenClaw 2026.9 gateway, lockguard as PID 1', () => {
  it('removes the gateway lock and the gateway-owner row naming the SIGKILLed child, and nothing else', async () => {
    const state = tempDir('lockguard-state-');
    mkdirSync(join(state, 'state'));
    const db = join(state, 'state', 'openclaw.sqlite');
    // Another process's row (the startup migrations of pid 7, its start in ticks): not the child's business.
    createStateDb(db, [{ scope: 'startup-migrations', key: 'global', payload: { version: '2026.9.6', owner: { pid: 7, host: 'box-e', startedAt: 4242 } }, createdAt: Date.now(), expiresAt: Date.now() + 60_000 }]);
    const lock = join(state, 'tmp', `openclaw-${process.getuid!()}`, 'gateway.state.lock');
    const run = startSupervising(['--state-dir', state, '--', NODE, join(FIXTURES, 'gateway-2026.9.mjs'), state]);
    await run.stdoutMatches(/^ready$/m);
    expect(existsSync(lock)).toBe(true);
    expect(leaseKeys(db)).toEqual(['gateway-owner/global', 'startup-migrations/global']);
    const [gateway] = childrenOf(await run.trapped());
    process.kill(gateway!, 'SIGKILL');
    const outcome = await run.done;
    expect(outcome.code).toBe(137);
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(`${lock}.sqlite`), 'a coordinator is never deleted').toBe(true);
    expect(leaseKeys(db)).toEqual(['startup-migrations/global']);
    const reclaimed = outcome.logs.filter((line) => line.msg === 'reclaimed lock').map((line) => ({ path: line.path, reasons: line.reasons }));
    expect(reclaimed).toEqual(
      expect.arrayContaining([
        { path: lock, reasons: ['dead-pid'] },
        { path: `sqlite:${db}#state_leases/gateway-owner/global`, reasons: ['dead-pid'] },
      ]),
    );
  });
});
