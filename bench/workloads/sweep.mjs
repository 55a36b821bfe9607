// 1. Sweep throughput: `lockguard sweep --dry-run --json` against `find -name '*.jsonl.lock'`
// over the same synthetic tree. Dry run leaves the tree unchanged, so every run sees the
// same locks. Peak RSS comes from GNU time for both sides.
//
// Both sides run as PID 1 of a fresh PID namespace, as lockguard does at container start:
// there the locks left by the fixture's "previous container" can be judged, so the sweep
// walks every verdict path. In the host namespace most would be "unknown" instead.
import { createStateDir } from '../fixtures.mjs';
import { interleave } from '../lib/interleave.mjs';
import { parseReport, timedSync, timedSyncWithRss } from '../lib/exec.mjs';
import { progress } from '../lib/progress.mjs';
import { limitCheck, makeRow, ratioCheck } from '../lib/report.mjs';

export async function sweepWorkload(ctx) {
  const perSize = [];
  for (const size of ctx.config.sweepSizes) perSize.push(await measureSize(ctx, size));
  return {
    id: 'sweep',
    title: '1. Sweep throughput (lockguard sweep --dry-run --json vs find -name *.jsonl.lock)',
    rows: perSize.flatMap((s) => s.rows),
    checks: [...perSize.flatMap((s) => s.checks), ...memoryChecks(ctx, perSize)],
    fixtures: perSize.map((s) => s.fixture),
    notes: [
      ...perSize.map((s) => verdictNote(s.fixture)),
      `${ctx.config.warmup} warm-up + ${ctx.config.runs} measured runs per subject, interleaved; page cache warm for both sides`,
      'in-process = summary.durationMs from the JSON report (excludes Node start-up and module loading)',
      ctx.tools.unshare.path ? 'both sides run as PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc), as at container start' : `unshare missing (${ctx.tools.unshare.missing}): both sides run in the host PID namespace`,
    ],
  };
}

async function measureSize(ctx, size) {
  const group = `${size.toLocaleString('en-US')} files`;
  progress(`sweep: creating ${group}`);
  const fixture = await createStateDir(ctx.tmp, size, ctx.node);
  try {
    const [find, lockguard] = await interleave(`sweep ${group}`, subjects(ctx, fixture), ctx.config);
    const rows = [
      makeRow(find, { group, metric: 'wall', unit: 'ms', pick: (s) => s.wallMs }),
      makeRow(lockguard, { group, metric: 'wall', unit: 'ms', pick: (s) => s.wallMs }),
      makeRow(lockguard, { group, metric: 'in-process', unit: 'ms', pick: (s) => s.inProcessMs }),
      makeRow(find, { group, metric: 'peak RSS', unit: 'KiB', pick: (s) => s.rssKb }),
      makeRow(lockguard, { group, metric: 'peak RSS', unit: 'KiB', pick: (s) => s.rssKb }),
    ];
    const [findWall, lgWall, lgIn] = rows;
    const isTargetSize = size === 100_000;
    const checks = [
      ratioCheck(`${group}: lockguard wall / find wall`, lgWall, findWall),
      ratioCheck(`${group}: lockguard in-process / find wall`, lgIn, findWall, isTargetSize ? 2.0 : undefined),
    ];
    return { size, rows, checks, fixture: describeFixture(fixture, lockguard) };
  } finally {
    await fixture.dispose();
  }
}

function subjects(ctx, fixture) {
  const measure = ctx.gnuTime ? (cmd, args, o) => timedSyncWithRss(ctx.gnuTime, ctx.tmp, cmd, args, o) : timedSync;
  const unshare = ctx.tools.unshare.path;
  const run = unshare ? (cmd, args, o) => measure(unshare, ['--pid', '--fork', '--mount-proc', cmd, ...args], o) : measure;
  return [
    {
      name: 'find',
      run: () => {
        const r = run('find', [fixture.dir, '-name', '*.jsonl.lock'], {});
        return { wallMs: r.wallMs, rssKb: r.rssKb, found: r.stdout.split('\n').filter(Boolean).length };
      },
    },
    {
      name: 'lockguard sweep',
      missing: ctx.lockguard.sweep.missing,
      run: () => {
        const r = run(ctx.node, [ctx.lockguard.entry, 'sweep', '--state-dir', fixture.dir, '--dry-run', '--json'], { okCodes: [0, 1] });
        const report = parseReport(r);
        return { wallMs: r.wallMs, rssKb: r.rssKb, inProcessMs: report.summary.durationMs, summary: report.summary, exit: r.status };
      },
    },
  ];
}

// The tree's designed mix next to what lockguard answered, so a reader can see the sweep
// did real work (and spot a verdict regression) without the bench judging it.
function describeFixture(fixture, lockguard) {
  const last = lockguard.samples.at(-1);
  return { sessions: fixture.sessions, locks: fixture.locks, mix: fixture.mix, lockguardSummary: last?.summary, lockguardExit: last?.exit };
}

function verdictNote(f) {
  const v = f.lockguardSummary;
  const answered = v ? `lockguard answered live ${v.live}, stale ${v.stale}, unknown ${v.unknown}, errors ${v.errors}` : 'lockguard not run';
  return `${f.sessions.toLocaleString('en-US')} files, ${f.locks.toLocaleString('en-US')} locks: ${answered}`;
}

function memoryChecks(ctx, perSize) {
  const rssAt = (size) => perSize.find((s) => s.size === size)?.rows[4];
  const small = rssAt(1_000);
  const large = rssAt(100_000);
  if (!small || !large) return [limitCheck('peak RSS 100k / 1k', undefined, '×', 1.5, 'needs both the 1,000 and 100,000 sizes')];
  if (!ctx.gnuTime) return [limitCheck('peak RSS 100k / 1k', undefined, '×', 1.5, 'GNU time missing')];
  return [ratioCheck('lockguard peak RSS: 100,000 files / 1,000 files', large, small, 1.5)];
}
