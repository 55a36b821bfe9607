// Crash injection (issue 5): lockguard is stopped at each step of the reclaim protocol
// (LOCKGUARD_TEST_PAUSE_AT) and SIGKILLed there. Fresh sweeps must then repair everything:
// no live lock lost, no stale lock surviving two sweeps, no guard or .lockguard-* leftover.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ago, PREDATES_NAMESPACE_MS } from './helpers/boot.js';
import { holdOpen, liveProcess, runSweep, startLockguard, type LockguardOptions } from './helpers/run.js';
import { DEAD_PID, entriesOf, inoOf, isLeftover, setTimes } from './helpers/state.js';
import { readPauseMarker, waitForPause } from './helpers/wait.js';

const STEPS = ['judged', 'guard-taken', 'renamed', 'verified', 'unlinked'] as const;
const CONTEXTS: Record<string, { extra: string[]; options: LockguardOptions }> = {
  // The operator's flag, from our own namespace: the stale lock's owner is a dead PID here.
  'exclusive, same namespace': { extra: ['--volume', 'exclusive'], options: { pid1: false } },
  // Auto (presence lock) with every lockguard as PID 1 of a fresh namespace: a restarted container.
  'auto, fresh namespace each run': { extra: ['--volume', 'auto'], options: { pid1: true } },
};

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function stateDir(): { root: string; sessions: string } {
  const root = mkdtempSync(join(tmpdir(), 'lockguard-crash-'));
  roots.push(root);
  const sessions = join(root, 'agents', 'main', 'sessions');
  mkdirSync(sessions, { recursive: true });
  return { root, sessions };
}

describe('crash injection: SIGKILL at each reclaim step, then fresh sweeps', () => {
  for (const [contextName, context] of Object.entries(CONTEXTS)) {
    for (const step of STEPS) {
      it(`${contextName}: killed at "${step}"`, async () => {
        const { root, sessions } = stateDir();
        const stalePath = join(sessions, 'stale.jsonl.lock');
        const created = ago(PREDATES_NAMESPACE_MS);
        writeFileSync(stalePath, JSON.stringify({ pid: DEAD_PID, createdAt: new Date(created).toISOString(), starttime: 7 }));
        setTimes(stalePath, created);
        // A live holder keeping its fd open (held-open beats everything, in every mode) …
        const heldPath = join(sessions, 'held.jsonl.lock');
        const held = await holdOpen(heldPath);
        const heldBytes = readFileSync(heldPath);
        // … and, in our own namespace, a live PID with its true starttime that does not hold the fd.
        const sameNs = !context.options.pid1;
        const owner = await liveProcess();
        const livePidPath = join(sessions, 'livepid.jsonl.lock');
        if (sameNs) writeFileSync(livePidPath, JSON.stringify({ pid: owner.pid, createdAt: new Date().toISOString(), starttime: owner.starttime }));
        const marker = join(root, 'pause-marker');
        try {
          const killed = startLockguard(['sweep', '--json', '--state-dir', root, '--log-level', 'warn', ...context.extra], {
            ...context.options,
            env: { LOCKGUARD_TEST_PAUSE_AT: step, LOCKGUARD_TEST_PAUSE_FILE: marker },
          });
          const paused = await waitForPause(marker, killed.done);
          expect(paused).toMatchObject({ step, path: stalePath });
          // SIGKILL lockguard itself (in a fresh namespace: unshare's child, PID 1 in there).
          process.kill(killed.innerPid()!, 'SIGKILL');
          const outcome = await killed.done;
          expect(outcome.code === 0 || outcome.stdout !== '', 'a killed lockguard reports nothing').toBe(false);
          rmSync(marker, { force: true });
          const afterKill = entriesOf(sessions);
          // A container restart takes longer than the verdict's 250 ms clock slack; within it, a guard of a
          // lockguard killed a moment ago might be a concurrent one, and auto mode rightly keeps it.
          if (context.options.pid1) await sleep(1_200);

          const first = await runSweep(['--state-dir', root, '--log-level', 'warn', ...context.extra], context.options);
          expect(first.report, first.stderr).toBeDefined();
          const afterFirst = entriesOf(sessions);
          const second = await runSweep(['--state-dir', root, '--log-level', 'warn', ...context.extra], context.options);
          expect(second.report, second.stderr).toBeDefined();
          const afterSecond = entriesOf(sessions);

          // No live lock is lost: the very same file, the same bytes.
          expect(inoOf(heldPath)).toBe(held.ino);
          expect(readFileSync(heldPath)).toEqual(heldBytes);
          if (sameNs) expect(existsSync(livePidPath)).toBe(true);
          // No stale lock survives two sweeps; no guard or leftover remains.
          expect(afterSecond.filter((name) => name.startsWith('stale.'))).toEqual([]);
          expect(afterSecond.filter(isLeftover)).toEqual([]);
          expect(second.code).toBe(0);
          // For the report: what the kill left and what the first sweep did with it.
          console.log(
            `[crash] ${contextName} @${step}: after kill ${JSON.stringify(afterKill)}; first sweep ${JSON.stringify(
              first.report!.locks.map((l) => `${l.path.split('/').pop()}:${l.verdict}/${l.reasons.join('+')}/${l.action}`),
            )}; left after first ${JSON.stringify(afterFirst)}`,
          );
        } finally {
          await held.stop();
          await owner.stop();
        }
      });
    }
  }
});

describe('leftovers of an interrupted reclaim that were live', () => {
  it('a held-open leftover goes back under its own name', async () => {
    const { root, sessions } = stateDir();
    const leftover = join(sessions, 'x.jsonl.lock.lockguard-0123456789abcdef');
    const held = await holdOpen(leftover);
    try {
      const run = await runSweep(['--state-dir', root, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false });
      expect(run.code).toBe(0);
      expect(inoOf(join(sessions, 'x.jsonl.lock'))).toBe(held.ino);
      expect(entriesOf(sessions)).toEqual(['x.jsonl.lock']);
    } finally {
      await held.stop();
    }
  });

  it('a held-open leftover whose name was taken again is kept, never over the newer lock', async () => {
    const { root, sessions } = stateDir();
    const leftover = join(sessions, 'x.jsonl.lock.lockguard-0123456789abcdef');
    const old = await holdOpen(leftover);
    const newer = await holdOpen(join(sessions, 'x.jsonl.lock'));
    try {
      const run = await runSweep(['--state-dir', root, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false });
      expect(run.report).toBeDefined();
      expect(inoOf(leftover)).toBe(old.ino);
      expect(inoOf(join(sessions, 'x.jsonl.lock'))).toBe(newer.ino);
      const entry = run.report!.locks.find((l) => l.path === leftover);
      expect(entry?.verdict).toBe('live');
      expect(entry?.action).not.toBe('reclaimed');
    } finally {
      await old.stop();
      await newer.stop();
    }
  });
});

describe('a lock re-taken between judgement and guard', () => {
  // Sweeper A judges a stale lock and is paused; sweeper B reclaims it; a live holder takes the
  // name. When A goes on, the name holds a live lock: A must not move it aside, even for a moment
  // (with the name empty, a third writer could take it and two writers would hold one session).
  it.each([
    ['in the same namespace', false],
    ['in a fresh namespace', true],
  ])('reclaimer B %s: the new live lock is never moved aside', async (_, freshNamespace) => {
    const { root, sessions } = stateDir();
    const path = join(sessions, 's.jsonl.lock');
    writeFileSync(path, JSON.stringify({ pid: DEAD_PID, createdAt: new Date(ago(PREDATES_NAMESPACE_MS)).toISOString(), starttime: 3 }));
    const marker = join(root, 'pause-marker');
    const sweepA = runSweep(['--state-dir', root, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: false, env: { LOCKGUARD_TEST_PAUSE_AT: 'judged,guard-taken,renamed', LOCKGUARD_TEST_PAUSE_FILE: marker } });
    await waitForPause(marker, sweepA);
    const sweepB = await runSweep(['--state-dir', root, '--log-level', 'warn', '--volume', 'exclusive'], { pid1: freshNamespace });
    expect(sweepB.report?.locks[0]?.action).toBe('reclaimed');
    const holder = await holdOpen(path);
    try {
      const seen: { step: string; ino: number | undefined }[] = [];
      rmSync(marker);
      let done = false;
      void sweepA.then(() => (done = true));
      while (!done) {
        const paused = readPauseMarker(marker);
        if (paused) {
          seen.push({ step: paused.step, ino: inoOf(path) });
          rmSync(marker);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      const a = await sweepA;
      // At every step A reached, and afterwards, the name still holds the live holder's file.
      for (const point of seen) expect(point, `at ${point.step}`).toEqual({ step: point.step, ino: holder.ino });
      expect(inoOf(path)).toBe(holder.ino);
      expect(entriesOf(sessions)).toEqual(['s.jsonl.lock']);
      expect(a.report?.locks[0]?.action).not.toBe('reclaimed');
    } finally {
      await holder.stop();
    }
  });
});
