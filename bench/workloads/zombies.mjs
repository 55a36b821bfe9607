// 5. Zombie reaping: lockguard and tini each as PID 1 of a fresh PID namespace
// (`unshare --pid --fork --mount-proc`); the child orphans N grandchildren at once and
// times, from its own /proc, how long until PID 1 has reaped them all.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { interleave } from '../lib/interleave.mjs';
import { timedSync } from '../lib/exec.mjs';
import { makeRow, ratioCheck } from '../lib/report.mjs';

const ORPHANER = new URL('../children/orphaner.pl', import.meta.url).pathname;
const DRAIN_TIMEOUT_S = 15; // a reaper that never reaps fails one run, not the whole budget

export async function zombiesWorkload(ctx) {
  const emptyState = join(ctx.tmp, 'zombies-state');
  mkdirSync(emptyState, { recursive: true });
  const results = await interleave('zombie reaping', subjects(ctx, emptyState), ctx.config);
  const rows = results.flatMap((r) => [
    makeRow(r, { metric: 'drain: last orphan exit → none left', unit: 'ms', pick: (s) => s.drainMs }),
    makeRow(r, { metric: 'total: first fork → none left', unit: 'ms', pick: (s) => s.totalMs }),
  ]);
  const [tiniDrain, tiniTotal, lgDrain, lgTotal] = rows;
  return {
    id: 'zombies',
    title: `5. Zombie reaping (${ctx.config.zombies.toLocaleString('en-US')} orphans, PID 1 of a fresh namespace)`,
    rows,
    checks: [ratioCheck('lockguard / tini, drain', lgDrain, tiniDrain, 3.0), ratioCheck('lockguard / tini, total', lgTotal, tiniTotal)],
    notes: ['the grandchildren exit at once and reach PID 1 together when their parent exits: drain is the reaper\'s own work; total adds the forks (same for both)'],
  };
}

function subjects(ctx, emptyState) {
  const { tools, node, lockguard } = ctx;
  const missingOf = (...names) => names.map((n) => tools[n].missing).find(Boolean);
  const child = [tools.perl.path, ORPHANER, String(ctx.config.zombies), String(DRAIN_TIMEOUT_S)];
  const asPid1 = (pid1) => () => runInNamespace(tools.unshare.path, [...pid1, ...child]);
  return [
    { name: 'tini as PID 1', missing: missingOf('unshare', 'perl', 'tini'), run: asPid1([tools.tini.path, '--']) },
    {
      name: 'lockguard as PID 1',
      missing: lockguard.run.missing ?? missingOf('unshare', 'perl'),
      run: asPid1([node, lockguard.entry, '--state-dir', emptyState, '--']),
    },
  ];
}

function runInNamespace(unshare, command) {
  const r = timedSync(unshare, ['--pid', '--fork', '--mount-proc', ...command], { timeoutMs: (DRAIN_TIMEOUT_S + 60) * 1000 });
  const line = r.stdout.trim().split('\n').pop();
  const sample = JSON.parse(line);
  if (sample.ppid !== 1) throw new Error(`the child's parent is ${sample.ppid}, not PID 1`);
  if (sample.left > 0) throw new Error(`${sample.left} processes still in /proc after ${DRAIN_TIMEOUT_S} s`);
  return sample;
}
