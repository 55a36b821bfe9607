// When the command exits, what it started may still run: a shell's background jobs, a
// daemon that forked away. tini leaves them be; dumb-init sends TERM to the child's group
// and exits at once. Either way, as PID 1 they then die by SIGKILL with the namespace,
// with no chance to flush, and as a subreaper they live on under the host's init.
// lockguard sends them TERM, waits for them (reaping as they go), and SIGKILLs what is
// left at the deadline, so that nothing outlives it unsignalled.
import { readdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { readStat } from '../model/procfs.js';
import { ourChildren } from './reaper.js';
import { sendSignal } from './signals.js';
import { monotonicMs } from '../model/time.js';

/**
 * The deadline without --kill-after: s6-overlay's default (S6_KILL_GRACETIME) for the same
 * TERM, wait, KILL at the end of a container's life. Time for a background job to flush
 * and exit on TERM; short enough that a leftover ignoring TERM barely delays the restart
 * of a crashed gateway, and well inside `docker stop`'s 10 s.
 */
export const LEFTOVER_GRACE_MS = 3000;
/** After SIGKILL, only a process in uninterruptible sleep (say, on a hung NFS mount) stays longer. */
const AFTER_KILL_MS = 1000;
/** Group members that are not our children end without a SIGCHLD to us: look again this often. */
const POLL_MS = 50;

export interface Leftovers {
  /**
   * The command's process group in group mode. In child mode there is none to signal: the
   * command shares lockguard's group (and lockguard's parent's, when not PID 1).
   */
  group: number | undefined;
  /**
   * The group already had a TERM, forwarded: it gets no second one, which many programs
   * take as "stop now, skip the cleanup".
   */
  groupHadTerm: boolean;
  /** monotonicMs() time at which TERM turns into KILL. */
  deadline: number;
  /** Reaps our dead children, so that only the living are counted. */
  reap: () => void;
}

/** What is left: our children (adopted as PID 1 or subreaper), and whether the group still has members. */
interface Left {
  adopted: number[];
  group: number | undefined;
}

/**
 * TERM what the command left, wait until it is gone, KILL it at the deadline. The group
 * is signalled as a whole; our children outside it one by one as they appear: a
 * descendant whose parent dies is reparented to us, and gets its own signal on the next look.
 */
export async function stopLeftovers(leftovers: Leftovers, logger: Logger): Promise<void> {
  let left = look(leftovers.group, leftovers.reap);
  if (isEmpty(left)) return;
  const started = monotonicMs();
  logger.info({ group: left.group, adopted: left.adopted.length, killInMs: Math.max(0, Math.round(leftovers.deadline - started)) }, 'the command left processes running: stopping them (TERM, then KILL when the time is up)');
  let signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM';
  let signalled = new Set<number>();
  if (left.group !== undefined && !leftovers.groupHadTerm) sendSignal({ pid: left.group, group: true }, signal, logger);
  for (;;) {
    // A member of the group had the group's signal: once is enough.
    for (const pid of left.adopted.filter((pid) => !signalled.has(pid) && readStat(pid)?.pgrp !== leftovers.group)) {
      signalled.add(pid);
      sendSignal({ pid, group: false }, signal, logger);
    }
    await childExitOr(POLL_MS);
    left = look(left.group, leftovers.reap);
    const elapsedMs = Math.round(monotonicMs() - started);
    if (isEmpty(left)) {
      logger.info({ elapsedMs }, 'what the command left has exited');
      return;
    }
    if (signal === 'SIGTERM' && monotonicMs() >= leftovers.deadline) {
      logger.warn({ group: left.group, adopted: left.adopted.length, elapsedMs }, `what the command left is still running ${elapsedMs} ms after SIGTERM: sending SIGKILL`);
      signal = 'SIGKILL';
      signalled = new Set();
      if (left.group !== undefined) sendSignal({ pid: left.group, group: true }, signal, logger);
    } else if (signal === 'SIGKILL' && monotonicMs() >= leftovers.deadline + AFTER_KILL_MS) {
      logger.warn({ group: left.group, pids: left.adopted }, `what the command left is still there ${AFTER_KILL_MS} ms after SIGKILL (in uninterruptible sleep?): exiting without waiting for it`);
      return;
    }
  }
}

/**
 * Reap, then list what is left. A group once seen empty is never looked at again: its id
 * is free from then on, and could name an unrelated process's new group.
 */
function look(group: number | undefined, reap: () => void): Left {
  reap();
  const adopted = ourChildren();
  // While children of ours are left we wait anyway; the costlier look at the group's
  // members is for when only members that are not our children may be left.
  const groupLeft = group !== undefined && groupExists(group) && (adopted.length > 0 || groupHasLiving(group));
  return { adopted, group: groupLeft ? group : undefined };
}

function isEmpty(left: Left): boolean {
  return left.adopted.length === 0 && left.group === undefined;
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Does a member of the group still run? A zombie has exited: it waits only for its
 * parent (init, when lockguard is no subreaper) to reap it.
 */
function groupHasLiving(pgid: number): boolean {
  return readdirSync('/proc').some((entry) => {
    const stat = /^\d+$/.test(entry) ? readStat(Number(entry)) : undefined;
    return stat?.pgrp === pgid && stat.state !== 'Z';
  });
}

function childExitOr(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      process.off('SIGCHLD', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    process.on('SIGCHLD', done);
  });
}
