// 3. Supervisor memory: peak RSS (VmHWM, sampled from /proc until the process is gone) of
// lockguard supervising `sleep`, next to an idle Node, tini and dumb-init. `--exec` mode is
// measured too, with proof from /proc that no supervisor stays: the same PID becomes sleep.
import { mkdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { interleave } from '../lib/interleave.mjs';
import { sampleHwm } from '../lib/exec.mjs';
import { which } from '../lib/tools.mjs';
import { makeRow, ratioCheck } from '../lib/report.mjs';

export async function memoryWorkload(ctx) {
  const emptyState = join(ctx.tmp, 'memory-state');
  mkdirSync(emptyState, { recursive: true });
  const seconds = String(ctx.config.sleepSeconds);
  const results = await interleave('supervisor memory', subjects(ctx, emptyState, seconds), ctx.config);
  const rows = results.map((r) => makeRow(r, { metric: 'peak RSS', unit: 'KiB', pick: (s) => s.hwmKb }));
  const exec = results[2];
  rows.push(makeRow(exec, { subject: 'lockguard --exec: node before execve', metric: 'peak RSS', unit: 'KiB', pick: (s) => s.beforeExecKb }));
  const [node, lockguard, execAfter, tini, dumbInit] = rows;
  return {
    id: 'memory',
    title: `3. Supervisor memory (supervising sleep ${seconds})`,
    rows,
    checks: [
      ratioCheck('lockguard -- sleep / idle node', lockguard, node, 1.3),
      ratioCheck('tini -s -- sleep / idle node', tini, node),
      ratioCheck('dumb-init sleep / idle node', dumbInit, node),
      ratioCheck('lockguard --exec (what stays) / idle node', execAfter, node),
    ],
    execProof: exec.samples.map((s) => s.proof),
    notes: [
      `sleep ${seconds} s instead of 5 s to fit the 10-minute budget; VmHWM is sampled every 20 ms for the whole life of the process`,
      `--exec proof: ${summarizeProof(exec)}`,
    ],
  };
}

function subjects(ctx, emptyState, seconds) {
  const { node, tools, lockguard } = ctx;
  const ms = Number(seconds) * 1000;
  const lg = (extra) => [lockguard.entry, '--state-dir', emptyState, ...extra, '--', 'sleep', seconds];
  return [
    { name: 'idle node (setTimeout)', run: () => sampleHwm(node, ['-e', `setTimeout(() => {}, ${ms})`]) },
    { name: 'lockguard -- sleep', missing: lockguard.run.missing, run: () => sampleHwm(node, lg([])) },
    { name: 'lockguard --exec -- sleep (what stays)', missing: lockguard.exec.missing, run: () => runExec(node, lg(['--exec'])) },
    { name: 'tini -s -- sleep', missing: tools.tini.missing, run: () => sampleHwm(tools.tini.path, ['-s', '--', 'sleep', seconds]) },
    { name: 'dumb-init sleep', missing: tools['dumb-init'].missing, run: () => sampleHwm(tools['dumb-init'].path, ['sleep', seconds]) },
  ];
}

// VmHWM belongs to an address space, and execve gives the PID a new one: samples taken
// while the PID is still Node are lockguard's own peak, the rest are sleep's.
async function runExec(node, args) {
  const sleepBin = realpathSync(which('sleep'));
  let beforeExecKb;
  let proof;
  const r = await sampleHwm(node, args, {
    onSample(pid, hwmKb) {
      const seen = inspectPid(pid);
      if (!seen) return;
      if (seen.exe !== sleepBin && hwmKb !== undefined) beforeExecKb = Math.max(beforeExecKb ?? 0, hwmKb);
      if (seen.exe === sleepBin) proof = seen;
    },
  });
  if (!proof) throw new Error('--exec: the PID never became sleep');
  if (proof.children.length > 0) throw new Error(`--exec: pid ${proof.pid} has children ${proof.children}`);
  return { hwmKb: r.hwmKb, beforeExecKb, proof };
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
