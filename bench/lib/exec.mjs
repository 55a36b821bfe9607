// Running measured commands. Wall time is taken around a synchronous spawn, the cheapest
// and steadiest way Node has; peak RSS comes from GNU time (ru_maxrss from wait4) or,
// for long-lived supervisors, from VmHWM in /proc sampled until the process is gone, with
// PSS and USS from smaps_rollup sampled at the same instants.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_BUFFER = 512 * 1024 * 1024;

/** spawnSync timed with the monotonic clock; throws unless the exit code is expected. */
export function timedSync(cmd, args, { okCodes = [0], input, env, cwd, timeoutMs = 120_000 } = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input, env, cwd, maxBuffer: MAX_BUFFER, timeout: timeoutMs, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (!okCodes.includes(r.status)) {
    throw new Error(`${[cmd, ...args].join(' ').slice(0, 120)} exited ${r.status ?? r.signal}: ${tail(r.stderr)}`);
  }
  return { wallMs, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like timedSync, but under GNU time so that the child's peak RSS (KiB) comes back too. */
export function timedSyncWithRss(gnuTime, tmpDir, cmd, args, options = {}) {
  const out = join(tmpDir, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const r = timedSync(gnuTime, ['-f', '%M', '-o', out, cmd, ...args], options);
    return { ...r, rssKb: Number(readFileSync(out, 'utf8').trim().split('\n').pop()) };
  } finally {
    rmSync(out, { force: true });
  }
}

/** A field of /proc/<pid>/status in KiB, or undefined once the process is gone. */
export function statusKb(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a process's memory costs, from /proc/<pid>/smaps_rollup (KiB): PSS shares each page
 * among the processes that map it, USS (Private_Clean + Private_Dirty) is what only this
 * process maps, what its exit would free. Undefined once the process is gone.
 */
export function rollupKb(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1]);
  const sample = { pssKb: field('Pss'), ussKb: field('Private_Clean') + field('Private_Dirty') };
  return Number.isFinite(sample.pssKb) && Number.isFinite(sample.ussKb) ? sample : undefined;
}

/**
 * Spawns a long-lived process and samples its memory every `intervalMs` until it exits:
 * VmHWM (peak RSS, kept by the kernel per address space) and the peaks of PSS and USS seen
 * by sampling. `onSample(pid, sample)` may inspect /proc while it runs.
 */
export async function sampleMemory(cmd, args, { intervalMs = 20, okCodes = [0], onSample } = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = exitOf(child);
  const peak = {};
  let done = false;
  exited.finally(() => (done = true));
  while (!done) {
    const hwmKb = statusKb(child.pid, 'VmHWM');
    const sample = hwmKb === undefined ? undefined : { hwmKb, ...rollupKb(child.pid) };
    if (sample) for (const [key, value] of Object.entries(sample)) peak[key] = Math.max(peak[key] ?? 0, value);
    onSample?.(child.pid, sample);
    await sleep(intervalMs);
  }
  const { code, stderr } = await exited;
  if (!okCodes.includes(code)) throw new Error(`${cmd} exited ${code}: ${tail(stderr)}`);
  if (peak.hwmKb === undefined) throw new Error(`${cmd}: no VmHWM sample before exit`);
  return { ...peak, pid: child.pid };
}

/** Resolves with { code, stderr } when the child exits; `code` is 128+N for a signal. */
export function exitOf(child) {
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? 128 + signalNumber(signal), stderr }));
  });
}

function signalNumber(name) {
  return constants.signals[name] ?? 0;
}

export function tail(text) {
  return String(text ?? '').trim().split('\n').slice(-3).join(' | ').slice(0, 300);
}
