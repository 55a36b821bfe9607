// 3. Supervisor memory: lockguard supervising `sleep`, next to an idle Node, tini and
// dumb-init, all sampled the same way from /proc every 20 ms until the process is gone: peak
// RSS (VmHWM), and the peaks of PSS and USS (smaps_rollup). RSS counts the pages of the node
// binary that any Node shares; PSS and USS show what the supervisor really adds to a container.
// `--exec` mode is measured too, with proof from /proc that no supervisor stays: the same PID
// becomes sleep.
import { mkdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { interleave } from '../lib/interleave.mjs';
import { sampleMemory } from '../lib/exec.mjs';
import { which } from '../lib/tools.mjs';
import { limitCheck, makeRow, ratioCheck } from '../lib/report.mjs';

const METRICS = [
  { metric: 'peak RSS', key: 'hwmKb' },
  { metric: 'peak PSS', key: 'pssKb' },
  { metric: 'peak USS', key: 'ussKb' },
];

export async function memoryWorkload(ctx) {
  const emptyState = join(ctx.tmp, 'memory-state');
  mkdirSync(emptyState, { recursive: true });
  const seconds = String(ctx.config.sleepSeconds);
  const results = await interleave('supervisor memory', subjects(ctx, emptyState, seconds), ctx.config);
  const exec = results[2];
  const beforeExec = { ...exec, name: 'lockguard --exec: node before execve', samples: exec.samples.map((s) => s.beforeExec ?? {}) };
  const byMetric = METRICS.map(({ metric, key }) => [...results, beforeExec].map((r) => makeRow(r, { metric, unit: 'KiB', pick: (s) => s[key] })));
  const [rss, pss, uss] = byMetric.map(([node, lockguard, execAfter, tini, dumbInit, execBefore]) => ({ node, lockguard, execAfter, tini, dumbInit, execBefore }));
  return {
    id: 'memory',
    title: `3. Supervisor memory (supervising sleep ${seconds})`,
    rows: byMetric.flat(),
    checks: [
      ratioCheck('lockguard -- sleep / idle node', rss.lockguard, rss.node, 1.3),
      ratioCheck('tini -s -- sleep / idle node', rss.tini, rss.node),
      ratioCheck('dumb-init sleep / idle node', rss.dumbInit, rss.node),
      ratioCheck('lockguard --exec (what stays) / idle node', rss.execAfter, rss.node),
      ratioCheck('lockguard -- sleep / idle node, PSS', pss.lockguard, pss.node),
      ratioCheck('lockguard -- sleep / idle node, USS', uss.lockguard, uss.node),
      aboveCheck('lockguard -- sleep USS − idle node USS', uss.lockguard, uss.node, 8),
      aboveCheck('lockguard --exec: node before execve USS − idle node USS', uss.execBefore, uss.node),
    ],
    execProof: exec.samples.map((s) => s.proof),
    notes: [
      `sleep ${seconds} s instead of 5 s to fit the 10-minute budget; memory is sampled every 20 ms for the whole life of the process`,
      'PSS and USS count the pages of the node binary that this bench\'s own Node (the same file) maps too as shared, as a gateway on the same Node would share them',
      `--exec proof: ${summarizeProof(exec)}`,
    ],
  };
}

/** Median of one row minus the median of another, in MiB, checked against `max` MiB. */
function aboveCheck(name, row, base, max) {
  const missing = row.missing ?? base.missing;
  return limitCheck(name, missing ? undefined : (row.median - base.median) / 1024, 'MiB', max, missing);
}

function subjects(ctx, emptyState, seconds) {
  const { node, tools, lockguard } = ctx;
  const ms = Number(seconds) * 1000;
  const lg = (extra) => [lockguard.entry, '--state-dir', emptyState, ...extra, '--', 'sleep', seconds];
  return [
    { name: 'idle node (setTimeout)', run: () => sampleMemory(node, ['-e', `setTimeout(() => {}, ${ms})`]) },
    { name: 'lockguard -- sleep', missing: lockguard.run.missing, run: () => sampleMemory(node, lg([])) },
    { name: 'lockguard --exec -- sleep (what stays)', missing: lockguard.exec.missing, run: () => runExec(node, lg(['--exec'])) },
    { name: 'tini -s -- sleep', missing: tools.tini.missing, run: () => sampleMemory(tools.tini.path, ['-s', '--', 'sleep', seconds]) },
    { name: 'dumb-init sleep', missing: tools['dumb-init'].missing, run: () => sampleMemory(tools['dumb-init'].path, ['sleep', seconds]) },
  ];
}

// Peaks belong to an address space, and execve gives the PID a new one. A sample taken while
// /proc still shows Node afterwards is lockguard's own; what stays is sleep's last sample (one
// taken just before the execve can look like sleep's, so sleep's are not maximised).
async function runExec(node, args) {
  const sleepBin = realpathSync(which('sleep'));
  const before = {};
  let after;
  let proof;
  await sampleMemory(node, args, {
    onSample(pid, sample) {
      const seen = inspectPid(pid);
      if (!seen || !sample) return;
      if (seen.exe === sleepBin) {
        after = sample;
        proof = seen;
      } else {
        for (const [key, value] of Object.entries(sample)) before[key] = Math.max(before[key] ?? 0, value);
      }
    },
  });
  if (!proof) throw new Error('--exec: the PID never became sleep');
  if (proof.children.length > 0) throw new Error(`--exec: pid ${proof.pid} has children ${proof.children}`);
  return { ...after, beforeExec: before, proof };
}

function inspectPid(pid) {
  try {
    return {
      pid,
      exe: readlinkSync(`/proc/${pid}/exe`),
      comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
      children: readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean),
      threads: Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Threads:\s+(\d+)/m)?.[1]),
    };
  } catch {
    return undefined;
  }
}

function summarizeProof(exec) {
  if (exec.missing) return `not run (${exec.missing})`;
  if (exec.failures.length) return `FAILED in ${exec.failures.length} run(s): ${exec.failures[0]}`;
  const p = exec.samples.at(-1)?.proof;
  if (!p) return 'no sample';
  return `in every run the spawned PID became ${p.exe} (comm ${p.comm}, ${p.threads} thread, children: ${p.children.length || 'none'}); no Node process stays`;
}
