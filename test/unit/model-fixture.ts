// A plain-data namespace model for the pure verdict tests: the judge reads nothing else.
import type { NamespaceModel, ProcessProbe } from '../../src/model/types.js';
import type { Evidence, Policy } from '../../src/verdict/judge.js';
import type { VolumeFacts } from '../../src/volume/types.js';

export const BTIME = 1_795_000_000; // epoch seconds
export const TICKS = 100;
/** Our namespace was born 10,000 s (2.8 h) after boot. */
export const BORN_TICKS = 1_000_000;
export const BORN_MS = BTIME * 1000 + (BORN_TICKS * 1000) / TICKS;
export const NOW_MS = BORN_MS + 60_000;

export function modelOf(overrides: Partial<NamespaceModel> = {}): NamespaceModel {
  return {
    pidNs: { link: 'pid:[4026532180]', inode: 4026532180, id: '77' },
    hostNs: false,
    hostView: { on: false, off: 'this namespace cannot see the writers; run lockguard in the new container, or from the host' },
    selfPid: 1,
    parentPid: 0,
    selfStarttime: BORN_TICKS,
    pid1: { comm: 'node', argv: ['lockguard'], starttime: BORN_TICKS, isSelf: true, isPauseOrInit: false },
    bornAtMs: BORN_MS,
    bornAt: new Date(BORN_MS).toISOString(),
    bootId: 'boot-a',
    btime: BTIME,
    bootMs: BTIME * 1000,
    clockTicks: TICKS,
    phase: 'init',
    processes: [],
    ...overrides,
  };
}

export const LOCAL_FS: VolumeFacts['filesystem'] = { type: 'ext2/3/4', local: true };
export const EXCLUSIVE_FLAG: VolumeFacts = { mode: 'exclusive', basis: 'flag', filesystem: LOCAL_FS };
export const EXCLUSIVE_PROVEN: VolumeFacts = { mode: 'exclusive', basis: 'presence-lock', filesystem: LOCAL_FS };
export const SHARED: VolumeFacts = { mode: 'shared', basis: 'presence-lock', filesystem: LOCAL_FS };
export const POLICY: Policy = { nowMs: NOW_MS, graceMs: 30_000, tooOldMs: 30 * 60_000 };

export function alive(pid: number, starttime: number, state = 'S', threads = 1): ProcessProbe {
  return { pid, status: 'alive', facts: { pid, starttime, state, ppid: 1, pgrp: pid, threads, comm: 'x' } };
}

/** A well-formed lock from pid `pid`, written `msAfterBirth` after our namespace was born. */
export function evidenceOf(pid: number, msAfterBirth: number, extra: Partial<Evidence> & { starttime?: number; pidNsInode?: number; bootId?: string } = {}): Evidence {
  const { starttime, pidNsInode, bootId, ...rest } = extra;
  const createdAtMs = BORN_MS + msAfterBirth;
  const owner = {
    pid,
    createdAt: new Date(createdAtMs).toISOString(),
    ...(starttime === undefined ? {} : { starttime }),
    ...(pidNsInode === undefined ? {} : { pidNsInode }),
    ...(bootId === undefined ? {} : { bootId }),
  };
  return {
    payload: { ok: true, owner, createdAtMs },
    mtimeMs: createdAtMs,
    openForWrite: 'free',
    recordLock: 'none',
    process: { pid, status: 'absent' },
    ...rest,
  };
}
