// 2. Start-up overhead with an empty state dir: `lockguard -- /bin/true` against
// `node -e 0` (the same Node binary), tini and dumb-init. `/bin/true` alone is the spawn
// floor of the harness itself, shown so the ratios can be read against it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { interleave } from '../lib/interleave.mjs';
import { timedSync } from '../lib/exec.mjs';
import { makeRow, ratioCheck } from '../lib/report.mjs';

export async function startupWorkload(ctx) {
  const emptyState = join(ctx.tmp, 'startup-state');
  mkdirSync(emptyState, { recursive: true });
  const config = { warmup: ctx.config.startupWarmup, runs: ctx.config.startupRuns };
  const results = await interleave('start-up', subjects(ctx, emptyState), config);
  const rows = results.map((r) => makeRow(r, { metric: 'wall', unit: 'ms', pick: (s) => s.wallMs }));
  const [, node, lockguard, tini, dumbInit, uncached] = rows;
  return {
    id: 'startup',
    title: '2. Start-up overhead (empty state dir)',
    rows,
    checks: [
      ratioCheck('lockguard -- /bin/true / node -e 0', lockguard, node, 1.3),
      ratioCheck('tini -s -- /bin/true / node -e 0', tini, node),
      ratioCheck('dumb-init /bin/true / node -e 0', dumbInit, node),
      ratioCheck('lockguard without / with its compile cache', uncached, lockguard),
    ],
    notes: [
      `${config.warmup} warm-up + ${config.runs} measured runs per subject, interleaved; wall = round trip of a synchronous run through the shared runner (harness/run.ts: execa, about 0.4 ms above a bare spawnSync, as the spawn-floor row shows)`,
      'lockguard runs with its compile cache warm (filled by the probe runs before the workloads, as an image warms it at build time); NODE_DISABLE_COMPILE_CACHE=1 turns it off',
    ],
  };
}

function subjects(ctx, emptyState) {
  const { node, tools } = ctx;
  const timed = (cmd, args, env) => () => ({ wallMs: timedSync(cmd, args, { env }).wallMs });
  const lockguard = [ctx.lockguard.entry, '--state-dir', emptyState, '--', '/bin/true'];
  return [
    { name: '/bin/true (spawn floor)', run: timed('/bin/true', []) },
    { name: 'node -e 0', run: timed(node, ['-e', '0']) },
    { name: 'lockguard -- /bin/true', missing: ctx.lockguard.run.missing, run: timed(node, lockguard) },
    // -s (subreaper) because tini is not PID 1 here, and lockguard registers as one too.
    { name: 'tini -s -- /bin/true', missing: tools.tini.missing, run: timed(tools.tini.path, ['-s', '--', '/bin/true']) },
    { name: 'dumb-init /bin/true', missing: tools['dumb-init'].missing, run: timed(tools['dumb-init'].path, ['/bin/true']) },
    {
      name: 'lockguard -- /bin/true, no compile cache',
      missing: ctx.lockguard.run.missing,
      run: timed(node, lockguard, { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' }),
    },
  ];
}
