// /proc mounted with hidepid=invisible in a private mount namespace: a PID that lockguard (not
// root) cannot see, but that kill(pid, 0) reports with EPERM, is alive, never dead.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ENTRY, NODE, run } from '../helpers/run.js';
import { parseReport } from '../helpers/sweep-report.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

it('an invisible live PID (EPERM) counts as alive', { timeout: 60_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'lockguard-hidepid-'));
  roots.push(root);
  chmodSync(root, 0o755);
  const state = join(root, 'state');
  const sessions = join(state, 'agents', 'main', 'sessions');
  mkdirSync(sessions, { recursive: true });
  for (const dir of [state, join(state, 'agents'), join(state, 'agents', 'main'), sessions]) chownSync(dir, 65534, 65534);
  const lock = join(sessions, 'root-owner.jsonl.lock');
  const dead = join(sessions, 'dead-owner.jsonl.lock');
  // As PID 1 of a new PID + mount namespace, with /proc remounted hidepid=invisible: a root-owned sleeper; its lock (written
  // now, not held open) names it; lockguard runs as nobody and cannot see it in /proc.
  const script = `
    set -e
    mount --make-rprivate /
    mount -t proc -o hidepid=invisible proc /proc
    sleep 60 & SLEEPER=$!
    ST=$(cut -d' ' -f22 /proc/$SLEEPER/stat)
    printf '{"pid":%d,"createdAt":"%s","starttime":%d}' $SLEEPER "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" $ST > "$LOCK"
    printf '{"pid":4000000,"createdAt":"%s","starttime":1}' "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" > "$DEAD"
    chown 65534:65534 "$LOCK" "$DEAD"
    setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo "visible pids: $(ls /proc | grep -c "^[0-9]")"; kill -0 '$SLEEPER' 2>&1 || true' >&2
    setpriv --reuid=65534 --regid=65534 --clear-groups "$NODE" "$ENTRY" sweep --state-dir "$STATE" --volume exclusive --json --log-level warn
    kill $SLEEPER
  `;
  const ran = await run(['bash', '-c', script], { env: { LOCK: lock, DEAD: dead, STATE: state, NODE, ENTRY }, timeoutMs: 50_000 });
  expect(ran.code, ran.stderr).toBe(0);
  const report = parseReport(ran.stdout, ran);
  const entry = report.locks.find((l) => l.path === lock);
  console.log(`[hostile] hidepid=invisible: ${JSON.stringify(entry)}; probes ${JSON.stringify(report.namespace.processes)}; pid1 ${JSON.stringify(report.namespace.pid1)}; stderr ${JSON.stringify(ran.stderr.trim())}`);
  expect(entry).toMatchObject({ verdict: 'live', reasons: ['live-pid'], action: 'kept' });
  expect(existsSync(lock)).toBe(true);
  // The control: a PID that really is absent is still proven dead there.
  expect(report.locks.find((l) => l.path === dead)).toMatchObject({ verdict: 'stale', reasons: ['dead-pid'], action: 'reclaimed' });
});
