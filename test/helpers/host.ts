// Running lockguard from the host: in the initial PID namespace (an ordinary child of the test) and
// in the initial time namespace. The suite may run under `unshare --time --boottime N` to simulate a
// fresh boot (helpers/boot.ts); lockguard started from there would be in that time namespace, where
// the host view is off. nsenter takes it into the initial one, through an ancestor that is still there.
import { readlinkSync } from 'node:fs';
import { HOST_TIME_NS_INODE } from '../../src/model/namespace.js';
import { namespaceInodeOf, readStat } from '../../src/model/procfs.js';
import type { LockguardOptions } from './run.js';

/** The command prefix that puts lockguard into the initial time namespace ([] when the test runs there). */
export function initialTimeNamespace(): string[] {
  if (inInitialTimeNamespace('self')) return [];
  for (let pid = parentOf('self'); pid !== undefined && pid > 0; pid = parentOf(pid)) {
    if (inInitialTimeNamespace(pid)) return ['nsenter', `--time=/proc/${pid}/ns/time`];
  }
  throw new Error('no ancestor of the test runs in the initial time namespace (or its ns/time link is unreadable): the host-view tests need one to run lockguard with the host\'s clocks');
}

/** lockguard as an operator runs it on the host. */
export function fromTheHost(options: LockguardOptions = {}): LockguardOptions {
  return { ...options, pid1: false, prefix: [...initialTimeNamespace(), ...(options.prefix ?? [])] };
}

function inInitialTimeNamespace(pid: number | 'self'): boolean {
  try {
    return namespaceInodeOf(readlinkSync(`/proc/${pid}/ns/time`)) === HOST_TIME_NS_INODE;
  } catch {
    return false;
  }
}

function parentOf(pid: number | 'self'): number | undefined {
  return readStat(pid)?.ppid;
}
