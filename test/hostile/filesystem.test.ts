// Hostile input on the filesystem (issue 5): every case ends in a defined verdict or a clear
// error, never a crash, a hang, or a touched file outside the state dir.
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ago, PAST_SHORT_GRACE_MS, SHORT_GRACE } from '../helpers/boot.js';
import { holdOpen, must, runSweep } from '../helpers/run.js';
import { DEAD_PID, entriesOf, inoOf, setTimes } from '../helpers/state.js';

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function stateDir(agent = 'main'): { root: string; state: string; sessions: string } {
  const root = mkdtempSync(join(tmpdir(), 'lockguard-hostile-'));
  roots.push(root);
  chmodSync(root, 0o755);
  const state = join(root, 'state');
  const sessions = join(state, 'agents', agent, 'sessions');
  mkdirSync(sessions, { recursive: true });
  return { root, state, sessions };
}

const stalePayload = () => JSON.stringify({ pid: DEAD_PID, createdAt: new Date(ago(PAST_SHORT_GRACE_MS)).toISOString(), starttime: 9 });
/** Past a sweep's --grace SHORT_GRACE. */
const old = (path: string) => setTimes(path, ago(PAST_SHORT_GRACE_MS));

describe('a 1 GiB sparse lock', () => {
  it('is read only up to the bound and judged malformed (kept in the grace, reclaimed after it)', { timeout: 60_000 }, async () => {
    const { state, sessions } = stateDir();
    const fresh = join(sessions, 'fresh.jsonl.lock');
    const aged = join(sessions, 'aged.jsonl.lock');
    for (const path of [fresh, aged]) await must(['truncate', '-s', '1G', path]);
    old(aged);
    // A 64 MiB heap: reading the lock whole would not fit.
    const run = await runSweep(['--state-dir', state, '--log-level', 'warn', '--volume', 'exclusive', '--grace', SHORT_GRACE], { pid1: false, nodeArgs: ['--max-old-space-size=64'] });
    expect(run.code, run.stderr).toBe(0);
    const byName = Object.fromEntries(run.report!.locks.map((l) => [l.path.split('/').pop(), `${l.verdict}/${l.reasons.join('+')}/${l.action}`]));
    console.log(`[hostile] sparse 1 GiB: ${JSON.stringify(byName)} in ${Math.round(run.ms)} ms`);
    expect(byName['fresh.jsonl.lock']).toBe('unknown/malformed-in-grace/kept');
    expect(byName['aged.jsonl.lock']).toBe('stale/malformed/reclaimed');
    expect(statSync(fresh).size).toBe(2 ** 30);
    expect(existsSync(aged)).toBe(false);
  });
});

describe('lock names', () => {
  it('a name with newlines gets a verdict like any other', async () => {
    const { state, sessions } = stateDir();
    const weird = join(sessions, 'line\none\n.jsonl.lock');
    writeFileSync(weird, stalePayload());
    const held = await holdOpen(join(sessions, 'held\nopen.jsonl.lock'));
    try {
      const run = await runSweep(['--state-dir', state, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false });
      expect(run.code, run.stderr).toBe(0);
      expect(run.report!.locks.find((l) => l.path === weird)).toMatchObject({ verdict: 'stale', action: 'reclaimed' });
      expect(existsSync(weird)).toBe(false);
      expect(inoOf(join(sessions, 'held\nopen.jsonl.lock'))).toBe(held.ino);
    } finally {
      await held.stop();
    }
  });

  it('a name that is not UTF-8: reported as a problem (exit 1), and the file is never touched', async () => {
    const { state, sessions } = stateDir();
    const raw = Buffer.concat([Buffer.from(`${sessions}/bad-`), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('.jsonl.lock')]);
    writeFileSync(raw, stalePayload());
    const run = await runSweep(['--state-dir', state, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false });
    expect(run.report, run.stderr).toBeDefined();
    expect(run.code).toBe(1);
    expect(run.report!.locks).toEqual([]);
    expect(run.report!.problems).toEqual([{ path: `${sessions}/bad-\uFFFD\uFFFD\uFFFD.jsonl.lock`, message: expect.stringContaining('not valid UTF-8') }]);
    // Node decodes the name lossily; whatever lockguard reports, the real file stays as it was.
    expect(readdirSync(Buffer.from(sessions), { encoding: 'buffer' }).map((b) => b.toString('hex'))).toContain(Buffer.from([...Buffer.from('bad-'), 0xff, 0xfe, 0x80, ...Buffer.from('.jsonl.lock')]).toString('hex'));
  });
});

describe('a sessions directory with 100,000 entries', () => {
  const COUNT = 100_000;
  const LOCKS = 1_000;
  let dirs: { state: string; sessions: string };
  beforeAll(() => {
    dirs = stateDir();
    for (let i = 0; i < COUNT - LOCKS; i++) closeSync(openSync(join(dirs.sessions, `s${i}.jsonl`), 'w'));
    for (let i = 0; i < LOCKS; i++) writeFileSync(join(dirs.sessions, `s${i}.jsonl.lock`), stalePayload());
  }, 120_000);

  it('is streamed: every lock judged, nothing else touched', { timeout: 120_000 }, async () => {
    const run = await runSweep(['--state-dir', dirs.state, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false });
    expect(run.code, run.stderr).toBe(0);
    console.log(`[hostile] 100k entries: ${JSON.stringify(run.report!.summary)} in ${Math.round(run.ms)} ms`);
    expect(run.report!.summary).toMatchObject({ locks: LOCKS, reclaimed: LOCKS, errors: 0 });
    expect(readdirSync(dirs.sessions).length).toBe(COUNT - LOCKS);
  });
});

describe('symlinks', () => {
  it('symlink loops end the walk and are reported, never followed', async () => {
    const { state, sessions } = stateDir();
    symlinkSync('self.jsonl.lock', join(sessions, 'self.jsonl.lock'));
    symlinkSync('b.jsonl.lock', join(sessions, 'a.jsonl.lock'));
    symlinkSync('a.jsonl.lock', join(sessions, 'b.jsonl.lock'));
    symlinkSync('..', join(state, 'agents', 'loop')); // agents/loop → agents
    mkdirSync(join(state, 'agents', 'x'));
    symlinkSync('.', join(state, 'agents', 'x', 'sessions')); // agents/x/sessions → itself
    const run = await runSweep(['--state-dir', state, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false, timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    const entries = run.report!.locks.map((l) => `${l.path.slice(state.length)}:${l.verdict}/${l.reasons.join('+')}/${l.action}`);
    console.log(`[hostile] symlink loops: ${JSON.stringify(entries)}`);
    for (const lock of run.report!.locks) expect(lock).toMatchObject({ verdict: 'unknown', reasons: ['not-a-regular-file'], action: 'kept' });
    for (const name of ['self.jsonl.lock', 'a.jsonl.lock', 'b.jsonl.lock']) expect(lstatSync(join(sessions, name)).isSymbolicLink()).toBe(true);
  });

  it('a sessions dir symlinked to /etc (or anywhere outside) is not entered', async () => {
    const { root, state } = stateDir();
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'victim.jsonl.lock'), stalePayload());
    old(join(outside, 'victim.jsonl.lock'));
    mkdirSync(join(state, 'agents', 'etc'));
    symlinkSync('/etc', join(state, 'agents', 'etc', 'sessions'));
    mkdirSync(join(state, 'agents', 'out'));
    symlinkSync(outside, join(state, 'agents', 'out', 'sessions'));
    symlinkSync('/etc', join(state, 'agents', 'etcagent'));
    const etcBefore = { names: readdirSync('/etc').sort(), mtime: statSync('/etc').mtimeMs };
    const victimBefore = readFileSync(join(outside, 'victim.jsonl.lock'), 'utf8');
    const run = await runSweep(['--state-dir', state, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false });
    expect(run.code, run.stderr).toBe(0);
    expect(run.report!.locks).toEqual([]);
    expect({ names: readdirSync('/etc').sort(), mtime: statSync('/etc').mtimeMs }).toEqual(etcBefore);
    expect(readFileSync(join(outside, 'victim.jsonl.lock'), 'utf8')).toBe(victimBefore);
    expect(entriesOf(outside)).toEqual(['victim.jsonl.lock']);
  });
});

describe('permissions, with lockguard not root', () => {
  function nobodyState(): { state: string; sessions: string } {
    const dirs = stateDir();
    for (const dir of [dirs.state, join(dirs.state, 'agents'), join(dirs.state, 'agents', 'main'), dirs.sessions]) chownSync(dir, 65534, 65534);
    return dirs;
  }

  it("a lock owned by another user, mode 0600: a clear error, kept", async () => {
    const { state, sessions } = nobodyState();
    const lock = join(sessions, 'root.jsonl.lock');
    const payload = stalePayload();
    writeFileSync(lock, payload, { mode: 0o600 });
    old(lock);
    const run = await runSweep(['--state-dir', state, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false, prefix: NOBODY });
    expect(run.report, run.stderr).toBeDefined();
    expect(run.code).toBe(1);
    const entry = run.report!.locks.find((l) => l.path === lock);
    console.log(`[hostile] other user's 0600 lock: ${JSON.stringify(entry)}`);
    expect(entry).toMatchObject({ verdict: 'unknown', action: 'failed', error: 'cannot read (EACCES)' });
    expect(readFileSync(lock, 'utf8')).toBe(payload);
  });

  it("a readable lock of another user, held open by a live process whose PID we cannot see: kept (no lease probe, no proof)", async () => {
    const { state, sessions } = nobodyState();
    const lock = join(sessions, 'foreign.jsonl.lock');
    // The payload names a PID of another namespace (absent here); the holder keeps the fd open.
    const held = await holdOpen(lock, 'create', JSON.stringify({ pid: DEAD_PID, createdAt: new Date().toISOString(), starttime: 5 }));
    try {
      // A restarted container comes later than the lock: then auto mode calls it previous-namespace, but for the open fd.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      for (const [volume, freshNamespace] of [['exclusive', false], ['auto', false], ['auto', true], ['exclusive', true]] as const) {
        const run = await runSweep(['--state-dir', state, '--log-level', 'warn', '--volume', volume], { prefix: NOBODY, pid1: freshNamespace });
        expect(run.report, run.stderr).toBeDefined();
        const entry = run.report!.locks.find((l) => l.path === lock);
        console.log(`[hostile] held-open lock of another user, --volume ${volume}${freshNamespace ? ' (fresh namespace)' : ''}, as nobody: ${entry?.verdict}/${entry?.reasons.join('+')}/${entry?.action}`);
        expect(entry?.verdict).not.toBe('stale');
        expect(inoOf(lock)).toBe(held.ino);
      }
    } finally {
      await held.stop();
    }
  });

  it('a directory without read permission: its locks are not judged, and the error names it', async () => {
    const { state, sessions } = nobodyState();
    const closed = join(state, 'agents', 'closed', 'sessions');
    mkdirSync(closed, { recursive: true });
    writeFileSync(join(closed, 'x.jsonl.lock'), stalePayload());
    chmodSync(closed, 0o300); // owned by root: nobody may not list it
    writeFileSync(join(sessions, 'ok.jsonl.lock'), stalePayload(), { mode: 0o644 });
    chownSync(join(sessions, 'ok.jsonl.lock'), 65534, 65534);
    const run = await runSweep(['--state-dir', state, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false, prefix: NOBODY });
    expect(run.report, run.stderr).toBeDefined();
    console.log(`[hostile] unreadable dir: exit ${run.code}, problems ${JSON.stringify(run.report!.problems)}, stderr ${JSON.stringify(run.stderr.trim().split('\n').filter((l) => l.includes('closed')))}`);
    expect(run.code).toBe(1);
    expect(run.report!.problems).toEqual([{ path: closed, message: 'cannot read directory (EACCES)' }]);
    expect(run.stderr).toContain(closed);
    expect(existsSync(join(closed, 'x.jsonl.lock'))).toBe(true);
    // The rest of the state dir is still swept.
    expect(run.report!.locks.find((l) => l.path.endsWith('ok.jsonl.lock'))).toMatchObject({ verdict: 'stale', action: 'reclaimed' });
  });
});
