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
  const [, node, lockguard, tini, dumbInit] = rows;
  return {
    id: 'startup',
    title: '2. Start-up overhead (empty state dir)',
    rows,
    checks: [
      ratioCheck('lockguard -- /bin/true / node -e 0', lockguard, node, 1.3),
      ratioCheck('tini -s -- /bin/true / node -e 0', tini, node),
      ratioCheck('dumb-init /bin/true / node -e 0', dumbInit, node),
    ],
    notes: [`${config.warmup} warm-up + ${config.runs} measured runs per subject, interleaved; wall = spawnSync round trip`],
  };
}

function subjects(ctx, emptyState) {
  const { node, tools } = ctx;
  const timed = (cmd, args) => () => ({ wallMs: timedSync(cmd, args).wallMs });
  return [
    { name: '/bin/true (spawn floor)', run: timed('/bin/true', []) },
    { name: 'node -e 0', run: timed(node, ['-e', '0']) },
    {
      name: 'lockguard -- /bin/true',
      missing: ctx.lockguard.run.missing,
      run: timed(node, [ctx.lockguard.entry, '--state-dir', emptyState, '--', '/bin/true']),
    },
    // -s (subreaper) because tini is not PID 1 here, and lockguard registers as one too.
    { name: 'tini -s -- /bin/true', missing: tools.tini.missing, run: timed(tools.tini.path, ['-s', '--', '/bin/true']) },
    { name: 'dumb-init /bin/true', missing: tools['dumb-init'].missing, run: timed(tools['dumb-init'].path, ['/bin/true']) },
  ];
}
