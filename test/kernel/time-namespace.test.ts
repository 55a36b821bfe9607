// In a time namespace whose boot clock starts after PID 1 started (unshare --time --boottime with a
// negative offset: how the suite simulates a fresh boot; also a CRIU restore), the kernel reports
// PID 1's start wrapped around, centuries ahead. The namespace's birth must not follow it into the
// future, or every lock would "predate" it and look like a previous namespace's.
import { expect, it } from 'vitest';
import { birthOf } from '../../src/model/namespace.js';
import { uptimeMs } from '../helpers/boot.js';
import { ENTRY, NODE, run } from '../helpers/run.js';
import { parseReport } from '../helpers/sweep-report.js';
import { makeTempDir, removeTempDirs } from '../helpers/state.js';

it('birthOf: PID 1\'s start when it is in the past, else the boot', () => {
  expect(birthOf(5_000, 1_000, 10_000)).toBe(5_000);
  expect(birthOf(10_500, 1_000, 10_000)).toBe(10_500); // ticks rounding: a start just now may read a little ahead
  expect(birthOf(1e15, 1_000, 10_000)).toBe(1_000);
  expect(birthOf(undefined, 1_000, 10_000)).toBe(1_000);
});

it('lockguard in a time namespace that booted after PID 1 started: born at the boot, not in the future', async () => {
  const dir = makeTempDir();
  try {
    // Uptime a few seconds in the new time namespace, so this namespace's PID 1 started before its boot.
    const offset = -(Math.floor(uptimeMs() / 1000) - 5);
    const ran = await run(['unshare', '--time', '--boottime', String(offset), '--fork', NODE, ENTRY, 'inspect', '--json', '--state-dir', dir], { pid1: false });
    expect(ran.code, ran.stderr).toBe(0);
    const { namespace } = parseReport(ran.stdout, ran);
    expect(namespace.pid1?.isSelf).toBe(false);
    expect(namespace.bornAtMs).toBe(namespace.bootMs);
    expect(namespace.bornAtMs).toBeLessThanOrEqual(Date.now());
  } finally {
    removeTempDirs();
  }
});
