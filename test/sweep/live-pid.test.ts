// Test 4 (issue 2): a live owner in lockguard's own namespace, with a matching starttime, that does
// not hold the lock's fd open: kept as live-pid, in every volume mode, its bytes untouched.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, shAsPid1 } from '../helpers/run.js';
import { entryFor, judgedAs, readReport } from '../helpers/sweep-report.js';
import { fingerprint, makeStateDir, makeTempDir, removeTempDirs } from '../helpers/state.js';

beforeAll(assertBuilt);
afterEach(removeTempDirs);

describe('a live owner in the same PID namespace', () => {
  it('is kept as live-pid (the fd is closed, so not held-open) in exclusive, auto and shared modes', async () => {
    const state = makeStateDir();
    const out = makeTempDir();
    const lock = state.lockPath('live');
    const script = `
      $WRITER "$SESSIONS/live.jsonl.lock" stay --ready "$OUT/ready" > /dev/null &
      writer=$!
      while [ ! -e "$OUT/ready" ]; do sleep 0.02; done
      cp "$OUT/ready" "$OUT/owner.json"
      cat /proc/$writer/stat > "$OUT/writer.stat"
      for volume in exclusive auto shared; do
        $LOCKGUARD sweep --json --log-format json --volume $volume --state-dir "$STATE" > "$OUT/$volume.json"
      done
      kill $writer
    `;
    const ran = await shAsPid1(script, { SESSIONS: state.sessions(), STATE: state.dir, OUT: out });
    expect(ran.code, ran.stderr).toBe(0);
    const owner = JSON.parse(fingerprint(join(out, 'owner.json')).bytes.toString()) as { pid: number; starttime: number };
    const before = fingerprint(lock);
    expect(JSON.parse(before.bytes.toString())).toMatchObject({ pid: owner.pid, starttime: owner.starttime });

    for (const volume of ['exclusive', 'auto', 'shared']) {
      const report = readReport(join(out, `${volume}.json`));
      expect(judgedAs(report, lock), volume).toEqual({ verdict: 'live', reasons: ['live-pid'], action: 'kept' });
      expect(entryFor(report, lock).owner).toMatchObject({ pid: owner.pid, starttime: owner.starttime });
      expect(report.namespace.processes.find((p) => p.pid === owner.pid)).toMatchObject({ status: 'alive', facts: { starttime: owner.starttime } });
    }
    const after = fingerprint(lock);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(after.mtimeNs).toBe(before.mtimeNs);
  });
});
