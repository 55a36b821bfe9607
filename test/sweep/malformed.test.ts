// Test 5 (issue 2): empty and malformed locks are kept while younger than the grace (an empty file may be
// a lock being written: create, then write) and reclaimed as malformed once older; one held open for
// writing is kept whatever its age.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runSweep } from '../helpers/run.js';
import { judgedAs } from '../helpers/sweep-report.js';
import { ago, canDate, DEFAULT_GRACE_MS, PAST_GRACE_MS, PAST_SHORT_GRACE_MS, SHORT_GRACE, uptimeMs } from '../helpers/boot.js';
import { exists, fingerprint, makeStateDir, reclaimLeftovers, holdOpenForWriting, removeTempDirs, setTimes, type StateDir } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(removeTempDirs);

const CONTENTS: Record<string, string | Buffer> = {
  empty: '',
  whitespace: ' \n\t\n',
  truncated: '{"pid": 7, "createdAt": "2026-',
  garbage: 'not a lock at all',
  'not-utf8': Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0x80]),
  array: '[7]',
};

function writeMalformed(state: StateDir): string[] {
  return Object.entries(CONTENTS).map(([name, bytes]) => {
    const path = state.lockPath(name);
    writeFileSync(path, bytes, { flag: 'wx' });
    return path;
  });
}

describe('empty and malformed locks', () => {
  it('are kept (malformed-in-grace) while younger than the grace, and reclaimed (malformed) once older', async () => {
    const state = makeStateDir();
    const paths = writeMalformed(state);

    const young = await runSweep(['--state-dir', state.dir]);
    expect(young.code, young.stderr).toBe(0);
    for (const path of paths) {
      expect(judgedAs(young.report, path), path).toEqual({ verdict: 'unknown', reasons: ['malformed-in-grace'], action: 'kept' });
      expect(exists(path)).toBe(true);
    }

    // Older than a short --grace but younger than a --grace of 5 minutes: still kept under that grace.
    for (const path of paths) setTimes(path, ago(PAST_SHORT_GRACE_MS));
    const longGrace = await runSweep(['--state-dir', state.dir, '--grace', '5m']);
    expect(longGrace.code, longGrace.stderr).toBe(0);
    for (const path of paths) expect(judgedAs(longGrace.report, path), path).toEqual({ verdict: 'unknown', reasons: ['malformed-in-grace'], action: 'kept' });

    const old = await runSweep(['--state-dir', state.dir, '--grace', SHORT_GRACE]);
    expect(old.code, old.stderr).toBe(0);
    for (const path of paths) {
      expect(judgedAs(old.report, path), path).toEqual({ verdict: 'stale', reasons: ['malformed'], action: 'reclaimed' });
      expect(exists(path), path).toBe(false);
    }
    expect(old.report.summary).toMatchObject({ locks: paths.length, stale: paths.length, reclaimed: paths.length, errors: 0 });
    expect(reclaimLeftovers(state.dir)).toEqual([]);
  });

  it('keeps an old empty lock that a process still holds open for writing (held-open)', async () => {
    const state = makeStateDir();
    const path = state.lockPath('being-written');
    holdOpenForWriting(path);
    setTimes(path, ago(PAST_SHORT_GRACE_MS));
    const before = fingerprint(path);

    const { code, report, stderr } = await runSweep(['--state-dir', state.dir, '--volume', 'exclusive', '--grace', SHORT_GRACE]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, path)).toEqual({ verdict: 'live', reasons: ['held-open'], action: 'kept' });
    const after = fingerprint(path);
    expect(after.ino).toBe(before.ino);
    expect(after.bytes.length).toBe(0);
  });

  it('under the default grace (30 s), are kept 25 s old, or as old as a younger boot allows', async () => {
    const state = makeStateDir();
    const path = state.lockPath('garbage');
    writeFileSync(path, 'not a lock at all');
    setTimes(path, ago(Math.max(0, Math.min(DEFAULT_GRACE_MS - 5_000, uptimeMs() - 2_000))));
    const { code, report, stderr } = await runSweep(['--state-dir', state.dir]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, path)).toEqual({ verdict: 'unknown', reasons: ['malformed-in-grace'], action: 'kept' });
  });

  it('under the default grace (30 s), are reclaimed 35 s old (only where this boot is old enough to date one so)', async (context) => {
    if (!canDate(PAST_GRACE_MS)) context.skip(`this machine has not been up for ${PAST_GRACE_MS / 1000 + 1} s`);
    const state = makeStateDir();
    const path = state.lockPath('garbage');
    writeFileSync(path, 'not a lock at all');
    setTimes(path, ago(PAST_GRACE_MS));
    const { code, report, stderr } = await runSweep(['--state-dir', state.dir]);
    expect(code, stderr).toBe(0);
    expect(judgedAs(report, path)).toEqual({ verdict: 'stale', reasons: ['malformed'], action: 'reclaimed' });
    expect(exists(path)).toBe(false);
  });
});
