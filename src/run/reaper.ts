// Reaping the orphans that the kernel hands to PID 1 (or to a child subreaper).
//
// Never waitpid(-1): libuv waits for the main child by its pid, and a status stolen from
// it means its exit event never fires and lockguard hangs. So the reaper only waits for
// pids it has seen in /proc as zombies whose parent is us, and never for the main child.
import { readdirSync } from 'node:fs';
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
  /** Stop listening and reap once more, for orphans that died with the main child. */
  stop(): void;
}

export function startReaper(mainPid: number, logger: Logger): Reaper {
  let scheduled = false;
  // Many SIGCHLDs read in one turn of the event loop cost one pass over /proc.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      reapOrphans(mainPid, logger);
    });
  };
  process.on('SIGCHLD', schedule);
  const timer = setInterval(schedule, PERIODIC_MS).unref();
  return {
    stop() {
      process.off('SIGCHLD', schedule);
      clearInterval(timer);
      reapOrphans(mainPid, logger);
    },
  };
}

function reapOrphans(mainPid: number, logger: Logger): void {
  for (const pid of zombieChildren(mainPid)) {
    const outcome = reapPid(pid);
    if (outcome.state === 'exited') logger.debug({ pid, status: outcome.status }, 'reaped an orphaned zombie');
  }
}

/** Our zombie children other than the main child, from /proc (which must be our namespace's). */
function zombieChildren(mainPid: number): number[] {
  const zombies: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === mainPid) continue;
    const stat = readStat(pid);
    if (stat?.ppid === process.pid && stat.state === 'Z') zombies.push(pid);
  }
  return zombies;
}
