// Reading /proc. The parsers are pure; the readers are the only code here that touches the kernel.
import { readFileSync, readlinkSync } from 'node:fs';
import type { ProcessFacts, ProcessProbe } from './types.js';

/**
 * Parse /proc/<pid>/stat. comm (field 2) may hold spaces and parentheses, so the fields
 * after it are found from the LAST ')'. Returns undefined on text that is not a stat line.
 */
export function parseStat(text: string): ProcessFacts | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).trim().split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  const threads = Number(rest[17]);
  const starttime = Number(rest[19]);
  if (!state || !Number.isSafeInteger(pid) || !Number.isSafeInteger(ppid) || !Number.isSafeInteger(pgrp) || !Number.isSafeInteger(threads) || !Number.isSafeInteger(starttime)) {
    return undefined;
  }
  return { pid, comm: text.slice(open + 1, close), state, ppid, pgrp, threads, starttime };
}

/** btime (boot time, epoch seconds) from /proc/stat text. */
export function parseBtime(text: string): number | undefined {
  const match = /^btime (\d+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** A zombie that is a single thread has exited; a zombie leader whose other threads run has not. */
export function hasExited(facts: Pick<ProcessFacts, 'state' | 'threads'>): boolean {
  return facts.state === 'Z' && facts.threads <= 1;
}

export function readStat(pid: number | 'self'): ProcessFacts | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

export function readCmdline(pid: number): string[] {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((arg, index, all) => arg !== '' || index < all.length - 1);
  } catch {
    return [];
  }
}

/** Does /proc belong to our PID namespace? If not (unshare without --mount-proc), its PIDs are not ours. */
export function procMatchesSelf(): boolean {
  try {
    return readlinkSync('/proc/self') === String(process.pid);
  } catch {
    return false;
  }
}

/**
 * What our namespace says about one PID: /proc first, then kill(pid, 0) to tell a dead PID
 * from one hidden from us (hidepid) or not ours to signal (EPERM): both count as alive.
 */
export function probeProcess(pid: number): ProcessProbe {
  const facts = readStat(pid);
  if (facts && facts.pid === pid) {
    // /proc/<n> also answers for a thread that leads no thread group (it is only left out of the listing), and
    // kill() accepts its id too. Pids and thread ids share one number space, so no process has that pid now.
    const tgid = readTgid(pid);
    return tgid !== undefined && tgid !== pid ? { pid, status: 'absent' } : { pid, status: 'alive', facts };
  }
  try {
    process.kill(pid, 0);
    return { pid, status: 'invisible' };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? { pid, status: 'absent' } : { pid, status: 'invisible' };
  }
}

/** The thread group (process) id that owns thread id `tid`, from /proc/<tid>/status. */
export function readTgid(tid: number): number | undefined {
  try {
    const match = /^Tgid:\s*(\d+)$/m.exec(readFileSync(`/proc/${tid}/status`, 'latin1'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The pid a process has in its own, innermost PID namespace: the last number of `NSpid:` in /proc/<pid>/status. */
export function innermostPid(status: string): number | undefined {
  const match = /^NSpid:([\t \d]+)$/m.exec(status);
  const last = match?.[1]!.trim().split(/\s+/).at(-1);
  const pid = last === undefined || last === '' ? NaN : Number(last);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Why /proc hides processes from us, if it does: the super options of the procfs mounted on /proc
 * (the last, topmost such line of /proc/self/mountinfo) with hidepid other than 0, or subset=pid.
 */
export function procHiddenBy(mountinfo: string): string | undefined {
  let options: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const [mount, fs] = line.split(' - ');
    if (mount?.split(' ')[4] !== '/proc' || fs === undefined) continue;
    const [type, , superOptions] = fs.split(' ');
    options = type === 'proc' ? (superOptions ?? '') : undefined;
  }
  return options?.split(',').find((option) => /^hidepid=(?!0$|off$)/.test(option) || option === 'subset=pid');
}

/** The inode of a namespace link's target: "time:[4026531834]" → 4026531834. */
export function namespaceInodeOf(link: string): number | undefined {
  const match = /^\w+:\[(\d+)\]$/.exec(link);
  return match ? Number(match[1]) : undefined;
}

/** The boottime offset of /proc/<pid>/timens_offsets ("boottime <seconds> <nanoseconds>"), in seconds. */
export function boottimeOffsetSeconds(offsets: string): number | undefined {
  const match = /^boottime\s+(-?\d+)\s+(\d+)$/m.exec(offsets);
  return match ? Number(match[1]) + Number(match[2]) / 1e9 : undefined;
}
