// Locks from before this boot (a node restarted under a persistent volume): dated before the boot, or
// recording another boot id. On a volume proven exclusive they are stale (previous-boot); on a shared
// one they are kept, since the volume may be another machine's; held open, they are live whatever their dates.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { beforeBoot } from '../helpers/boot.js';
import { assertBuilt, runSweep } from '../helpers/run.js';
import { judgedAs } from '../helpers/sweep-report.js';
import { exists, fingerprint, holdOpenForWriting, makeStateDir, reclaimLeftovers, removeTempDirs, setTimes, writeSessionLock } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(removeTempDirs);

/** A lock from before the boot is also too-old once the machine has been up for half an hour: a note, not the point here. */
function withoutNote<T extends { reasons: string[] }>(judged: T): T {
  return { ...judged, reasons: judged.reasons.filter((reason) => reason !== 'too-old') };
}

describe('locks from a previous boot', () => {
  it('a lock dated before the boot is kept on a shared volume and reclaimed as previous-boot on an exclusive one', async () => {
    const state = makeStateDir();
    const lock = state.lockPath('before-boot');
    const bytes = writeSessionLock(lock, { pid: 7, starttime: 4242 }, beforeBoot(60_000));

    const shared = await runSweep(['--state-dir', state.dir, '--volume', 'shared']);
    expect(shared.code, shared.stderr).toBe(0);
    expect(withoutNote(judgedAs(shared.report, lock))).toEqual({ verdict: 'unknown', reasons: ['shared-volume'], action: 'kept' });
    expect(fingerprint(lock).bytes.equals(bytes)).toBe(true);

    const auto = await runSweep(['--state-dir', state.dir]);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.report.volumes).toMatchObject([{ stateDir: state.dir, mode: 'exclusive', basis: 'presence-lock' }]);
    expect(judgedAs(auto.report, lock)).toEqual({ verdict: 'stale', reasons: ['previous-boot'], action: 'reclaimed' });
    expect(exists(lock)).toBe(false);
    expect(reclaimLeftovers(state.dir)).toEqual([]);
  });

  it('a lock recording another boot id is previous-boot, however recent its dates', async () => {
    const state = makeStateDir();
    const lock = `${state.dir}/gateway.state.lock`;
    const processNamespace = { host: '3f9c2d1b7a6e', boot: { platform: 'linux', identity: randomUUID() }, pidNamespace: 4026532999 };
    writeFileSync(lock, JSON.stringify({ pid: 1, createdAt: new Date().toISOString(), startTime: 1843, processNamespace }));

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, lock)).toEqual({ verdict: 'stale', reasons: ['previous-boot'], action: 'reclaimed' });
    expect(exists(lock)).toBe(false);
  });

  it('a lock dated before the boot that a process holds open for writing is live (held-open)', async () => {
    const state = makeStateDir();
    const lock = state.lockPath('held-across-boot');
    holdOpenForWriting(lock);
    writeFileSync(lock, JSON.stringify({ pid: 7, createdAt: new Date(beforeBoot(60_000)).toISOString(), starttime: 4242 }));
    setTimes(lock, beforeBoot(60_000));
    const before = fingerprint(lock);

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', 'exclusive']);
    expect(code, stderr).toBe(0);
    expect(withoutNote(judgedAs(report, lock))).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
    const after = fingerprint(lock);
    expect(after.ino).toBe(before.ino);
    expect(after.bytes.equals(before.bytes)).toBe(true);
  });
});
