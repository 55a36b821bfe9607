// Running measured commands, through the shared runner (harness/run.ts). Wall time is taken
// around a synchronous run, the steadiest way Node has (the runner adds about 0.4 ms to a bare
// spawnSync, the same for every subject; the spawn-floor rows show it); peak RSS comes from GNU
// time (ru_maxrss from wait4) or, for long-lived supervisors, from VmHWM in /proc sampled until
// the process is gone, with PSS and USS from smaps_rollup sampled at the same instants.
import { readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runSync, start } from '../../harness/run.ts';

const MAX_BUFFER = 512 * 1024 * 1024;

/** A synchronous run timed with the monotonic clock; throws unless the exit code is expected. `env` is the whole environment. */
export function timedSync(cmd, args, { okCodes = [0], input, env, cwd, timeoutMs = 120_000 } = {}) {
  const started = process.hrtime.bigint();
  const r = runSync([cmd, ...args], { input, cwd, maxBuffer: MAX_BUFFER, timeoutMs, ...(env ? { env, envOnly: true } : {}) });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!okCodes.includes(r.code)) {
    throw new Error(`${[cmd, ...args].join(' ').slice(0, 120)} exited ${r.code ?? r.signal}: ${tail(r.stderr)}`);
  }
  return { wallMs, status: r.code, stdout: r.stdout, stderr: r.stderr };
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
  const child = start([cmd, ...args], { stdout: 'ignore', timeoutMs: 0 });
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

/** Resolves with { code, stderr } when a process started with the shared runner exits; `code` is 128+N for a signal. */
export function exitOf(child) {
  return child.done.then(({ code, signal, stderr }) => ({ code: code ?? 128 + (constants.signals[signal] ?? 0), stderr: stderr.slice(-4000) }));
}

/** The --json report a run printed on stdout, or an error naming its exit and the end of its stderr. */
export function parseReport(r) {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`exit ${r.status}, no JSON report on stdout (${r.stdout.length} bytes): ${tail(r.stderr)}`);
  }
}

export function tail(text) {
  return String(text ?? '').trim().split('\n').slice(-3).join(' | ').slice(0, 300);
}
