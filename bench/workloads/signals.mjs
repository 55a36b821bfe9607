// 4. Signal-forwarding latency: SIGUSR2 sent to the supervisor, timed until the child's
// handler records it. One signal in flight at a time, so none coalesce. A fresh
// supervisor per run; runs interleaved across supervisors.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../harness/run.ts';
import { interleave } from '../lib/interleave.mjs';
import { exitOf } from '../lib/exec.mjs';
import { percentile } from '../lib/stats.mjs';
import { limitCheck, makeRow, ratioCheck } from '../lib/report.mjs';

const CHILD = new URL('../children/signal-child.mjs', import.meta.url).pathname;
const UNMEASURED_PER_RUN = 20; // lets the JIT and caches settle inside each fresh process
const REPLY_TIMEOUT_MS = 3000;

export async function signalsWorkload(ctx) {
  const emptyState = join(ctx.tmp, 'signals-state');
  mkdirSync(emptyState, { recursive: true });
  const results = await interleave('signal latency', subjects(ctx, emptyState), ctx.config);
  const rows = results.flatMap((r) => [
    makeRow(r, { metric: 'p50 of a run', unit: 'ms', pick: (s) => percentile(s.latencies, 50) }),
    makeRow(r, { metric: 'p99 of a run', unit: 'ms', pick: (s) => percentile(s.latencies, 99) }),
  ]);
  const pooled = results.map(pool);
  const [lg, tini, dumbInit] = pooled;
  return {
    id: 'signals',
    title: `4. Signal-forwarding latency (SIGUSR2, ${ctx.config.runs} runs × ${ctx.config.signalsPerRun} signals)`,
    rows,
    checks: [
      ...pooled.flatMap((p) => [limitCheck(`${p.name}: p50 of all signals`, p.p50, 'ms', undefined, p.missing), limitCheck(`${p.name}: p99 of all signals`, p.p99, 'ms', p.name.startsWith('lockguard') ? 5 : undefined, p.missing)]),
      ratioCheck('lockguard p99 / tini p99 (per-run medians)', rows[1], rows[3]),
      ratioCheck('lockguard p50 / tini p50 (per-run medians)', rows[0], rows[2]),
    ],
    notes: [
      `${UNMEASURED_PER_RUN} unmeasured signals at the start of each run; the child is a Node script, the same for every supervisor`,
      `samples per supervisor: ${pooled.map((p) => `${p.name} ${p.n ?? 0}`).join(', ')}`,
    ],
  };
}

function pool(result) {
  if (result.missing) return { name: result.name, missing: result.missing };
  if (result.samples.length === 0) return { name: result.name, missing: `failed: ${result.failures[0]}` };
  const all = result.samples.flatMap((s) => s.latencies);
  return { name: result.name, n: all.length, p50: percentile(all, 50), p99: percentile(all, 99) };
}

function subjects(ctx, emptyState) {
  const { node, tools, lockguard } = ctx;
  const per = ctx.config.signalsPerRun;
  return [
    { name: 'lockguard', missing: lockguard.run.missing, run: () => measure(node, [lockguard.entry, '--state-dir', emptyState, '--', node, CHILD], per) },
    { name: 'tini -s', missing: tools.tini.missing, run: () => measure(tools.tini.path, ['-s', '--', node, CHILD], per) },
    { name: 'dumb-init', missing: tools['dumb-init'].missing, run: () => measure(tools['dumb-init'].path, [node, CHILD], per) },
  ];
}

async function measure(cmd, args, count) {
  const supervisor = start([cmd, ...args], { timeoutMs: 0 });
  const exited = exitOf(supervisor);
  const lines = supervisor.lines();
  try {
    const first = await nextLine(lines, exited);
    if (first !== 'ready') throw new Error(`child said "${first}"`);
    for (let i = 0; i < UNMEASURED_PER_RUN; i++) await roundTrip(supervisor.pid, lines, exited);
    const latencies = [];
    for (let i = 0; i < count; i++) latencies.push(await roundTrip(supervisor.pid, lines, exited));
    return { latencies };
  } finally {
    supervisor.kill('SIGTERM');
    await exited;
  }
}

async function roundTrip(pid, lines, exited) {
  const sent = process.hrtime.bigint();
  process.kill(pid, 'SIGUSR2');
  const handled = BigInt(await nextLine(lines, exited));
  return Number(handled - sent) / 1e6;
}

async function nextLine(lines, exited) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no reply within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS)));
  const died = exited.then(({ code, stderr }) => Promise.reject(new Error(`supervisor exited ${code}: ${stderr.trim().split('\n').pop()}`)));
  try {
    const { value, done } = await Promise.race([lines.next(), timeout, died]);
    if (done) throw new Error('stdout closed');
    return value;
  } finally {
    clearTimeout(timer);
  }
}
