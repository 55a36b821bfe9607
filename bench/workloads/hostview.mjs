// 6. The host view's cost: `lockguard sweep --dry-run --json` from the host's PID namespace, with
// 1,000 processes running in child PID namespaces (50 namespaces, each a shell as PID 1 and 19
// sleeps), over a state dir whose locks name a crashed container's PID 1 and the live ones'.
//
// Subjects, interleaved in one run:
//   host view on   lockguard in the initial PID and time namespaces: it indexes /proc (NSpid and
//                  starttime of every process) and judges every lock with it;
//   host view off  the same sweep under `unshare --time --fork`, where the host view is off (a time
//                  namespace): no index, and the locks stay unknown;
//   ps -e          procps listing every process (reads /proc/<pid>/stat and status of each): what
//                  reading all of /proc costs a C program.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childrenOf, start, starttimeOf } from '../../harness/run.ts';
import { interleave } from '../lib/interleave.mjs';
import { parseReport, timedSync } from '../lib/exec.mjs';
import { progress } from '../lib/progress.mjs';
import { makeRow, ratioCheck } from '../lib/report.mjs';
import { round } from '../lib/stats.mjs';

const PER_NAMESPACE = 20;
const SESSIONS = 1_000;
const LOCK_EVERY = 10;
/** One lock in LIVE_EVERY names a live namespace's PID 1, with its starttime; the others a dead one's. */
const LIVE_EVERY = 10;

export async function hostViewWorkload(ctx) {
  const title = `6. Host view: sweep from the host with ${ctx.config.hostViewProcesses.toLocaleString('en-US')} processes in child PID namespaces (index on vs off, and ps -e)`;
  const unshare = ctx.tools.unshare.path;
  if (!unshare) return { id: 'hostview', title, missing: `unshare missing (${ctx.tools.unshare.missing})` };
  if (ctx.lockguard.sweep.missing) return { id: 'hostview', title, missing: ctx.lockguard.sweep.missing };
  const before = countProcesses();
  const crowd = await startCrowd(unshare, ctx.config.hostViewProcesses / PER_NAMESPACE);
  try {
    const running = countProcesses();
    progress(`hostview: ${running} processes on the machine (${running - before} started)`);
    const dir = writeStateDir(ctx.tmp, crowd.pid1s);
    const [on, off, ps] = await interleave('hostview', subjects(ctx, unshare, dir), ctx.config);
    const group = `${SESSIONS.toLocaleString('en-US')} files, ${running} processes`;
    const rows = [
      makeRow(on, { group, metric: 'wall', unit: 'ms', pick: (s) => s.wallMs }),
      makeRow(off, { group, metric: 'wall', unit: 'ms', pick: (s) => s.wallMs }),
      makeRow(ps, { group, metric: 'wall', unit: 'ms', pick: (s) => s.wallMs }),
      makeRow(on, { group, metric: 'in-process', unit: 'ms', pick: (s) => s.inProcessMs }),
      makeRow(off, { group, metric: 'in-process', unit: 'ms', pick: (s) => s.inProcessMs }),
    ];
    const [onWall, offWall, psWall, onIn, offIn] = rows;
    const indexMs = onIn.median !== undefined && offIn.median !== undefined ? onIn.median - offIn.median : undefined;
    const last = on.samples.at(-1);
    return {
      id: 'hostview',
      title,
      rows,
      checks: [
        ratioCheck('host view on / off: lockguard wall', onWall, offWall),
        ratioCheck('host view on / off: lockguard in-process', onIn, offIn),
        ratioCheck('host view on, in-process / ps -e wall', onIn, psWall),
        {
          name: 'the index (in-process on − off, medians) / ps -e wall',
          value: indexMs === undefined || !psWall.median ? undefined : indexMs / psWall.median,
          unit: '×',
          status: indexMs === undefined ? 'missing' : 'info',
          ...(indexMs === undefined ? { missing: 'a subject did not run' } : {}),
        },
      ],
      fixtures: { processes: running, started: running - before, locks: SESSIONS / LOCK_EVERY, summaryOn: last?.summary, hostView: last?.hostView, summaryOff: off.samples.at(-1)?.summary },
      notes: [
        `index on − off, in-process medians: ${round(indexMs)} ms for ${running} processes (${last?.hostView?.index?.scans ?? '?'} scans of /proc per sweep: the first look's, and the second look's for locks read after it began)`,
        `with the index: ${describeSummary(last?.summary)}; without: ${describeSummary(off.samples.at(-1)?.summary)}`,
        `${ctx.config.warmup} warm-up + ${ctx.config.runs} measured runs per subject, interleaved; all three in the host's PID namespace`,
        'host view off runs under unshare --time --fork, whose fork and exec its wall time includes: compare in-process times for the index alone',
      ],
    };
  } finally {
    await crowd.stop();
  }
}

function subjects(ctx, unshare, dir) {
  // `wrapper` runs lockguard; the report says whether the host view was on, as the subject expects.
  const sweep = (wrapper, expectOn) => () => {
    const argv = [...wrapper, ctx.node, ctx.lockguard.entry, 'sweep', '--state-dir', dir, '--dry-run', '--json', '--volume', 'shared'];
    const r = timedSync(argv[0], argv.slice(1), { okCodes: [0, 1] });
    const report = parseReport(r);
    const { hostView } = report.namespace;
    if (hostView.on !== expectOn) throw new Error(`the host view is ${hostView.on ? 'on' : `off (${hostView.off})`}, expected ${expectOn ? 'on' : 'off'}`);
    return { wallMs: r.wallMs, inProcessMs: report.summary.durationMs, summary: report.summary, hostView };
  };
  return [
    { name: 'lockguard, host view on', run: sweep([], true) },
    { name: 'lockguard, host view off', run: sweep([unshare, '--time', '--fork'], false) },
    {
      name: 'ps -e',
      run: () => {
        const r = timedSync('ps', ['-e', '-o', 'pid=,lstart=']);
        return { wallMs: r.wallMs, listed: r.stdout.split('\n').filter(Boolean).length };
      },
    },
  ];
}

/** `namespaces` PID namespaces, each a shell as PID 1 with PER_NAMESPACE - 1 sleeps; their PID 1s' starttimes. */
async function startCrowd(unshare, namespaces) {
  progress(`hostview: starting ${namespaces} PID namespaces of ${PER_NAMESPACE} processes`);
  const script = `for i in $(seq ${PER_NAMESPACE - 1}); do sleep 3600 & done; echo ready; wait`;
  const children = Array.from({ length: namespaces }, () => start([unshare, '--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c', script], { stderr: 'inherit', timeoutMs: 0 }));
  await Promise.all(children.map((child) => child.stdoutMatches(/^ready$/m)));
  const pid1s = children.map((child) => ({ starttime: starttimeOf(childrenOf(child.pid)[0]) }));
  return {
    pid1s,
    async stop() {
      for (const child of children) child.kill('SIGKILL');
      await sleep(200);
    },
  };
}

/** 1,000 session files, every tenth with a lock naming PID 1: of a live namespace (its starttime), or of a crashed one. */
function writeStateDir(root, pid1s) {
  const dir = join(root, 'hostview-state');
  rmSync(dir, { recursive: true, force: true });
  const sessions = join(dir, 'agents', 'main', 'sessions');
  mkdirSync(sessions, { recursive: true });
  const createdAt = new Date(Date.now() - 60_000).toISOString();
  for (let i = 0; i < SESSIONS; i++) {
    const path = join(sessions, `s-${i}.jsonl`);
    writeFileSync(path, '{"type":"session"}\n');
    if (i % LOCK_EVERY !== 0) continue;
    const lock = i / LOCK_EVERY;
    const starttime = lock % LIVE_EVERY === 0 ? pid1s[(lock / LIVE_EVERY) % pid1s.length].starttime : 4242 + lock;
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, createdAt, starttime }));
  }
  return dir;
}

function countProcesses() {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
}

function describeSummary(summary) {
  return summary ? `live ${summary.live}, stale ${summary.stale}, unknown ${summary.unknown}` : 'not run';
}
