// Reaping the orphans that the kernel hands to PID 1 (or to a child subreaper).
//
// Never waitpid(-1): libuv waits for the main child by its pid, and a status stolen from
// it means its exit event never fires and lockguard hangs. So the reaper only waits, one
// by one, for the pids the kernel lists as our children, and never for the main child.
import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { reapPid, setChildSubreaper } from '../kernel/ffi.js';
import { readStat } from '../model/procfs.js';

// SIGCHLD coalesces (one pending signal stands for any number of exits), so a slow
// periodic pass picks up what a lost signal left behind.
const PERIODIC_MS = 1000;

/**
 * When lockguard is not PID 1 (started by a shell, a service manager, or behind another
 * init), orphans of the command would go to that init; as a child subreaper, they come
 * to lockguard and are reaped here.
 */
export function becomeSubreaper(logger: Logger): void {
  if (process.pid === 1) return;
  const outcome = setChildSubreaper();
  if (!outcome.ok) logger.warn({ errno: outcome.errno }, 'prctl(PR_SET_CHILD_SUBREAPER) failed, so orphans of the command go to init, not to lockguard. Run lockguard as PID 1, or pass --no-subreaper to silence this.');
}

export interface Reaper {
  /** Reap what has died so far. */
  reapNow(): void;
  /** Stop listening and reap once more, for orphans that died with the main child. */
  stop(): void;
}

export function startReaper(mainPid: number, logger: Logger): Reaper {
  let scheduled = false;
  // Many SIGCHLDs read in one turn of the event loop cost one pass; a pass that reaped
  // something runs again, since more may have died while it worked.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (reapOrphans(mainPid, logger) > 0) schedule();
    });
  };
  process.on('SIGCHLD', schedule);
  const timer = setInterval(schedule, PERIODIC_MS).unref();
  const reapNow = () => {
    while (reapOrphans(mainPid, logger) > 0);
  };
  return {
    reapNow,
    stop() {
      process.off('SIGCHLD', schedule);
      clearInterval(timer);
      reapNow();
    },
  };
}

/** One pass: waitpid(WNOHANG) on each of our children but the main one. Returns how many it reaped. */
function reapOrphans(mainPid: number, logger: Logger): number {
  let reaped = 0;
  for (const pid of ourChildren()) {
    if (pid === mainPid) continue;
    const outcome = reapPid(pid);
    if (outcome.state !== 'exited') continue;
    reaped++;
    logger.debug({ pid, status: outcome.status }, 'reaped an orphaned zombie');
  }
  return reaped;
}

/**
 * Our children: the kernel lists them per thread in /proc/self/task/<tid>/children (an
 * adopted orphan may hang off any of our threads). Without that file (CONFIG_PROC_CHILDREN
 * off), every process in /proc whose parent is us.
 */
export function ourChildren(): number[] {
  try {
    return readdirSync('/proc/self/task').flatMap((tid) => parsePids(readFileSync(`/proc/self/task/${tid}/children`, 'latin1')));
  } catch {
    return readdirSync('/proc')
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && readStat(pid)?.ppid === process.pid);
  }
}

function parsePids(text: string): number[] {
  return text.trim().split(/\s+/).map(Number).filter((pid) => Number.isInteger(pid) && pid > 0);
}
