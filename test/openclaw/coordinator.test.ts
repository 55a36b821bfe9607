// Kernel test: real SQLite files held by real processes, in this and in another PID namespace.
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeCoordinator } from '../../src/openclaw/coordinator.js';
import { startHolder, type Holder } from './helpers/processes.js';

let dir: string;
const holders: Holder[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockguard-coordinator-'));
});
afterEach(async () => {
  await Promise.all(holders.splice(0).map((holder) => holder.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function hold(path: string, mode: string, how: string, namespace = false) {
  const holder = await startHolder([path, mode, how, 'CREATE TABLE IF NOT EXISTS c(x)'], { namespace });
  holders.push(holder);
  return holder;
}

describe('probeCoordinator', () => {
  for (const mode of ['DELETE', 'WAL'] as const) {
    it(`sees BEGIN EXCLUSIVE held in ${mode} mode, and a free coordinator once its holder is killed`, async () => {
      const path = join(dir, `gateway.0a1b2c3d.lock.sqlite`);
      const holder = await hold(path, mode, 'exclusive');
      expect(probeCoordinator(path)).toBe('held');
      await holder.stop();
      expect(probeCoordinator(path)).toBe('free');
    });
  }

  it('sees a holder in another PID namespace (l_pid is not even visible from here)', async () => {
    const path = join(dir, 'gateway.state.lock.sqlite');
    await hold(path, 'WAL', 'exclusive', true);
    expect(probeCoordinator(path)).toBe('held');
  });

  it('counts a merely open WAL connection as held: it is a live OpenClaw process', async () => {
    const path = join(dir, 'device-identity.9f8e.lock.sqlite');
    await hold(path, 'WAL', 'open');
    expect(probeCoordinator(path)).toBe('held');
  });

  it('says none when there is no coordinator, and unknown for a symlink it will not follow', () => {
    expect(probeCoordinator(join(dir, 'missing.lock.sqlite'))).toBe('none');
    const target = join(dir, 'real.sqlite');
    writeFileSync(target, '');
    const link = join(dir, 'gateway.state.lock.sqlite');
    symlinkSync(target, link);
    expect(probeCoordinator(link)).toBe('unknown');
  });

  it('never creates the coordinator', () => {
    const path = join(dir, 'gateway.state.lock.sqlite');
    probeCoordinator(path);
    expect(existsSync(path)).toBe(false);
  });
});
