// A gateway killed by SIGKILL leaves its session lock behind; the sweep after its exit
// proves the owner dead by its pid and starttime, and removes it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childrenOf, NODE } from '../helpers/run.js';
import { startSupervising, tempDir } from './harness.js';

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
