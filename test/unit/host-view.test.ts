// The host view's pure parts: the verdict's rule, the /proc and mountinfo parsers, the filesystem
// gate, the lookup of an owner in a scan, and when a scan is too old to prove an absence.
import { describe, expect, it } from 'vitest';
import { HostIndex, lookupOwner, type HostScan, type IndexedProcess, type OwnStart } from '../../src/model/host-index.js';
import { boottimeOffsetSeconds, innermostPid, namespaceInodeOf, procHiddenBy } from '../../src/model/procfs.js';
import { startMs } from '../../src/model/time.js';
import type { HostLookup, NamespaceModel } from '../../src/model/types.js';
import { judge } from '../../src/verdict/judge.js';
import { filesystemOf, hostViewOffFor } from '../../src/volume/filesystem.js';
import type { VolumeFacts } from '../../src/volume/types.js';
import { alive, BORN_MS, BTIME, EXCLUSIVE_FLAG, EXCLUSIVE_PROVEN, evidenceOf, modelOf, POLICY, SHARED } from './model-fixture.js';

const host = modelOf({ hostNs: true, hostView: { on: true }, pidNs: { link: 'pid:[4026531836]', inode: 4026531836 }, selfPid: 4242, parentPid: 4000 });
const AFTER = 10_000;
const NFS: VolumeFacts = { ...SHARED, filesystem: { type: 'nfs', local: false } };

describe('the verdict from the host', () => {
  it('no-such-process on a shared or auto-proven volume, for a lock of this boot that no process can have written', () => {
    const evidence = { ...evidenceOf(1, AFTER, { starttime: 5_000, process: alive(1, 2) }), host: 'absent' as const };
    for (const volume of [SHARED, EXCLUSIVE_PROVEN]) expect(judge(evidence, host, volume, POLICY)).toEqual({ verdict: 'stale', reasons: ['no-such-process'] });
    // Declared exclusive, the lock counts as our own namespace's, whose own proof comes first.
    expect(judge(evidence, host, EXCLUSIVE_FLAG, POLICY)).toEqual({ verdict: 'stale', reasons: ['recycled-pid'] });
  });

  it('live-elsewhere beats every proof of death made without it', () => {
    const predatesBirth = { ...evidenceOf(7, -600_000, { starttime: 5_000 }), host: 'match' as const };
    expect(judge(predatesBirth, host, EXCLUSIVE_PROVEN, POLICY)).toEqual({ verdict: 'live', reasons: ['live-elsewhere'] });
    const ourDeadPid = { ...evidenceOf(7, AFTER, { starttime: 5_000 }), host: 'match' as const };
    expect(judge(ourDeadPid, host, EXCLUSIVE_FLAG, POLICY)).toEqual({ verdict: 'live', reasons: ['live-elsewhere'] });
  });

  it('the proofs of life of the lock itself still come first', () => {
    const held = { ...evidenceOf(7, AFTER, { starttime: 5_000, openForWrite: 'held-open' }), host: 'absent' as const };
    expect(judge(held, host, SHARED, POLICY).reasons).toEqual(['held-open']);
    const coordinator = { ...evidenceOf(7, AFTER, { starttime: 5_000, recordLock: 'held' }), host: 'absent' as const };
    expect(judge(coordinator, host, SHARED, POLICY).reasons).toEqual(['held-lock']);
    const here = { ...evidenceOf(7, AFTER, { starttime: 5_000, process: alive(7, 5_000) }), host: 'absent' as const };
    expect(judge(here, host, SHARED, POLICY).reasons).toEqual(['live-pid']);
  });

  it('without the lease probe there is no proof: probe-failed', () => {
    const unprobed = { ...evidenceOf(7, AFTER, { starttime: 5_000, openForWrite: 'unknown' }), host: 'absent' as const };
    expect(judge(unprobed, host, SHARED, POLICY)).toEqual({ verdict: 'unknown', reasons: ['probe-failed'] });
  });

  it('a pid in use somewhere, with no start to compare, is unknown; an unreadable candidate too', () => {
    expect(judge({ ...evidenceOf(7, AFTER), host: 'pid-exists' }, host, SHARED, POLICY)).toEqual({ verdict: 'unknown', reasons: ['pid-in-use'] });
    expect(judge({ ...evidenceOf(7, AFTER, { starttime: 5 }), host: 'unprovable' }, host, SHARED, POLICY)).toEqual({ verdict: 'unknown', reasons: ['probe-failed'] });
  });

  it('only for a lock of this boot: by its boot id, or by its time', () => {
    const otherBoot = { ...evidenceOf(7, AFTER, { starttime: 5, bootId: 'boot-old' }), host: 'absent' as const };
    expect(judge(otherBoot, host, SHARED, POLICY).reasons).toEqual(['shared-volume']);
    expect(judge({ ...otherBoot, host: 'pid-exists' }, host, SHARED, POLICY).reasons).toEqual(['shared-volume']);
    const ourBoot = { ...evidenceOf(7, AFTER, { starttime: 5, bootId: host.bootId }), host: 'absent' as const };
    expect(judge(ourBoot, host, SHARED, POLICY).reasons).toEqual(['no-such-process']);
    const beforeBoot = { ...evidenceOf(7, BTIME * 1000 - BORN_MS - 60_000, { starttime: 5 }), host: 'absent' as const };
    expect(judge(beforeBoot, host, SHARED, POLICY).verdict).toBe('unknown');
    const noTime = { ...evidenceOf(7, AFTER, { starttime: 5 }), payload: { ok: true as const, owner: { pid: 7, starttime: 5 } }, mtimeMs: undefined, host: 'absent' as const };
    expect(judge(noTime, host, SHARED, POLICY).verdict).toBe('unknown');
  });

  it('is off outside the host view and on a filesystem that is not local', () => {
    const evidence = { ...evidenceOf(7, AFTER, { starttime: 5 }), host: 'absent' as const };
    expect(judge(evidence, modelOf(), SHARED, POLICY).reasons).toEqual(['shared-volume']);
    expect(judge(evidence, host, NFS, POLICY).reasons).toEqual(['shared-volume']);
    expect(judge({ ...evidence, host: 'match' }, host, NFS, POLICY).verdict).toBe('unknown');
  });
});

describe('the host view beside correlated evidence and empty guards', () => {
  /** A gateway-owner row from the host whose gateway lock file was proven stale in the same sweep. */
  const row = (lookup: HostLookup) => ({ ...evidenceOf(1, AFTER, { starttime: 5_000 }), host: lookup, sameOwner: 'stale' as const });

  it("both no-such-process and owner-lock-stale hold: the row's own proof is reported", () => {
    for (const volume of [SHARED, EXCLUSIVE_PROVEN]) expect(judge(row('absent'), host, volume, POLICY)).toEqual({ verdict: 'stale', reasons: ['no-such-process'] });
  });

  it('owner-lock-stale stands where the host view cannot tell (a pid in use, an unreadable process), is off, or the row predates this boot', () => {
    expect(judge(row('pid-exists'), host, SHARED, POLICY)).toEqual({ verdict: 'stale', reasons: ['owner-lock-stale'] });
    expect(judge(row('unprovable'), host, SHARED, POLICY)).toEqual({ verdict: 'stale', reasons: ['owner-lock-stale'] });
    expect(judge(row('absent'), host, NFS, POLICY)).toEqual({ verdict: 'stale', reasons: ['owner-lock-stale'] });
    const otherBoot = { ...evidenceOf(1, AFTER, { starttime: 5_000, bootId: 'boot-old' }), host: 'absent' as const, sameOwner: 'stale' as const };
    expect(judge(otherBoot, host, SHARED, POLICY)).toEqual({ verdict: 'stale', reasons: ['owner-lock-stale'] });
  });

  it('a proof of life from either side wins: live-elsewhere over owner-lock-stale, owner-lock-live over no-such-process', () => {
    expect(judge(row('match'), host, SHARED, POLICY)).toEqual({ verdict: 'live', reasons: ['live-elsewhere'] });
    expect(judge({ ...row('absent'), sameOwner: 'live' }, host, SHARED, POLICY)).toEqual({ verdict: 'live', reasons: ['owner-lock-live'] });
  });

  it("an empty guard names no pid, so no host-view proof: a lookup given anyway changes nothing", () => {
    const guard = { payload: { ok: false as const, problem: 'empty' as const, owner: {} }, mtimeMs: BORN_MS + AFTER, openForWrite: 'free' as const, recordLock: 'none' as const, process: undefined, ownerless: true };
    for (const lookup of [undefined, 'absent', 'match', 'pid-exists'] as const) {
      const evidence = lookup === undefined ? guard : { ...guard, host: lookup };
      expect(judge(evidence, host, SHARED, POLICY), lookup).toEqual({ verdict: 'unknown', reasons: ['shared-volume'] });
      expect(judge(evidence, host, EXCLUSIVE_PROVEN, POLICY), lookup).toEqual({ verdict: 'unknown', reasons: ['no-owner'] });
      expect(judge({ ...evidence, mtimeMs: BORN_MS - 60_000 }, host, EXCLUSIVE_PROVEN, POLICY), lookup).toEqual({ verdict: 'stale', reasons: ['previous-namespace'] });
    }
  });
});

describe('reading /proc', () => {
  it('innermostPid: the last NSpid number', () => {
    expect(innermostPid('Name:\tnode\nTgid:\t4242\nNSpid:\t4242\t17\t1\nNSpgid:\t4242\t17\t1\n')).toBe(1);
    expect(innermostPid('Name:\tnode\nNSpid:\t4242\n')).toBe(4242);
    expect(innermostPid('Name:\tnode\nPid:\t4242\n')).toBeUndefined();
    expect(innermostPid('NSpid:\t\n')).toBeUndefined();
  });

  it('procHiddenBy: hidepid or subset=pid on the procfs mounted at /proc, the topmost one', () => {
    const line = (point: string, type: string, options: string) => `22 27 0:21 / ${point} rw,relatime shared:5 - ${type} proc ${options}`;
    expect(procHiddenBy(line('/proc', 'proc', 'rw'))).toBeUndefined();
    expect(procHiddenBy(line('/proc', 'proc', 'rw,hidepid=invisible'))).toBe('hidepid=invisible');
    expect(procHiddenBy(line('/proc', 'proc', 'rw,hidepid=2,gid=10'))).toBe('hidepid=2');
    expect(procHiddenBy(line('/proc', 'proc', 'rw,hidepid=0'))).toBeUndefined();
    expect(procHiddenBy(line('/proc', 'proc', 'rw,hidepid=off'))).toBeUndefined();
    expect(procHiddenBy(line('/proc', 'proc', 'rw,subset=pid'))).toBe('subset=pid');
    expect(procHiddenBy(`${line('/proc', 'proc', 'rw,hidepid=invisible')}\n${line('/proc', 'proc', 'rw')}\n`)).toBeUndefined();
    expect(procHiddenBy(`${line('/proc', 'proc', 'rw')}\n${line('/proc', 'proc', 'rw,hidepid=1')}\n`)).toBe('hidepid=1');
    expect(procHiddenBy(line('/mnt/proc', 'proc', 'rw,hidepid=2'))).toBeUndefined();
  });

  it('namespaceInodeOf and boottimeOffsetSeconds', () => {
    expect(namespaceInodeOf('time:[4026531834]')).toBe(0xeffffffa);
    expect(namespaceInodeOf('nonsense')).toBeUndefined();
    expect(boottimeOffsetSeconds('monotonic           0         0\nboottime        -2000         0\n')).toBe(-2000);
    expect(boottimeOffsetSeconds('monotonic 0 0\nboottime -2 500000000\n')).toBe(-1.5);
    expect(boottimeOffsetSeconds('monotonic 0 0\n')).toBeUndefined();
  });
});

describe('the filesystem gate', () => {
  it.each([
    [0xef53, 'ext2/3/4'],
    [0x58465342, 'xfs'],
    [0x9123683e, 'btrfs'],
    [0x01021994, 'tmpfs'],
    [0x794c7630, 'overlayfs'],
    [0x2fc12fc1, 'zfs'],
  ])('local: 0x%s is %s', (magic, type) => {
    expect(filesystemOf(magic)).toEqual({ type, local: true });
    expect(hostViewOffFor(filesystemOf(magic))).toBeUndefined();
  });

  it.each([
    [0x6969, 'nfs'],
    [0xff534d42, 'cifs'],
    [0xfe534d42, 'smb2'],
    [0x00c36400, 'ceph'],
    [0x65735546, 'fuse'],
    [0x01021997, '9p'],
    [0x12345678, '0x12345678'],
  ])('not local: 0x%s is %s', (magic, type) => {
    expect(filesystemOf(magic)).toEqual({ type, local: false });
    expect(hostViewOffFor(filesystemOf(magic))).toContain(`${type} is not a local filesystem`);
  });

  it('a magic above 2^31 read as a negative number is the same type', () => {
    expect(filesystemOf(0x9123683e | 0).type).toBe('btrfs');
  });
});

/** A scan holding `processes` as [innermost pid, starttime, host pid]. */
function scanOf(processes: [number, number, number][], extra: Partial<HostScan> = {}): HostScan {
  const byInnermostPid = new Map<number, IndexedProcess[]>();
  for (const [pid, starttime, hostPid] of processes) byInnermostPid.set(pid, [...(byInnermostPid.get(pid) ?? []), { hostPid, starttime }]);
  return { startedAtMs: 0, byInnermostPid, processes: processes.length, unreadable: 0, ...extra };
}

const clock = { bootMs: BTIME * 1000, clockTicks: 100 };
const sameTimeNs = (process: IndexedProcess): OwnStart => ({ ticks: process.starttime });

describe('looking an owner up in a scan', () => {
  const scan = scanOf([
    [1, 500, 1],
    [1, 90_000, 3001],
    [7, 290_100, 3007],
  ]);

  it('a recorded starttime must match exactly', () => {
    expect(lookupOwner(scan, { pid: 1, starttime: 90_000 }, clock, sameTimeNs)).toBe('match');
    expect(lookupOwner(scan, { pid: 1, starttime: 90_001 }, clock, sameTimeNs)).toBe('absent');
    expect(lookupOwner(scan, { pid: 42, starttime: 90_000 }, clock, sameTimeNs)).toBe('absent');
  });

  it('a start in ms matches within the tolerance', () => {
    const at = startMs(290_100, clock);
    expect(lookupOwner(scan, { pid: 7, processStartMs: at + 1_000 }, clock, sameTimeNs)).toBe('match');
    expect(lookupOwner(scan, { pid: 7, processStartMs: at + 2_000 }, clock, sameTimeNs)).toBe('absent');
  });

  it('without a start, any process with the pid may be the owner', () => {
    expect(lookupOwner(scan, { pid: 7 }, clock, sameTimeNs)).toBe('pid-exists');
    expect(lookupOwner(scan, { pid: 8 }, clock, sameTimeNs)).toBe('absent');
  });

  it('a candidate in another time namespace matches by the start it sees for itself, to the tick', () => {
    const shifted = (process: IndexedProcess): OwnStart => (process.hostPid === 3007 ? { ticks: process.starttime - 200_000.4 } : { ticks: process.starttime });
    expect(lookupOwner(scan, { pid: 7, starttime: 290_100 }, clock, shifted)).toBe('match');
    expect(lookupOwner(scan, { pid: 7, starttime: 90_100 }, clock, shifted)).toBe('match');
    expect(lookupOwner(scan, { pid: 7, starttime: 90_099 }, clock, shifted)).toBe('match');
    expect(lookupOwner(scan, { pid: 7, starttime: 90_098 }, clock, shifted)).toBe('absent');
    const wholeSeconds = (process: IndexedProcess): OwnStart => ({ ticks: process.starttime - 200_000 });
    expect(lookupOwner(scan, { pid: 7, starttime: 90_100 }, clock, wholeSeconds)).toBe('match');
    expect(lookupOwner(scan, { pid: 7, starttime: 90_101 }, clock, wholeSeconds)).toBe('absent');
  });

  it('a candidate whose own start cannot be read makes the absence unprovable; one that exited does not', () => {
    expect(lookupOwner(scan, { pid: 7, starttime: 12 }, clock, () => 'unreadable')).toBe('unprovable');
    expect(lookupOwner(scan, { pid: 7, starttime: 12 }, clock, () => 'gone')).toBe('absent');
  });

  it('while any process could not be read, nothing is proven absent', () => {
    const partial = scanOf([[7, 290_100, 3007]], { unreadable: 1 });
    expect(lookupOwner(partial, { pid: 8, starttime: 12 }, clock, sameTimeNs)).toBe('unprovable');
    expect(lookupOwner(partial, { pid: 8 }, clock, sameTimeNs)).toBe('unprovable');
    expect(lookupOwner(partial, { pid: 7, starttime: 290_100 }, clock, sameTimeNs)).toBe('match');
  });
});

describe('a scan proves an absence only for bytes read before it began', () => {
  function indexWith(scans: HostScan[]) {
    const model: Pick<NamespaceModel, 'bootMs' | 'clockTicks' | 'hostView'> = { ...clock, hostView: { on: true } };
    let taken = 0;
    const index = new HostIndex(model, () => scans[Math.min(taken++, scans.length - 1)]!);
    return { index, model, scans: () => taken };
  }
  const owner = { pid: 9, starttime: 100 };

  it('an absence in a scan begun before the read is looked up in a new scan, which may find the owner', () => {
    const { index, scans } = indexWith([scanOf([], { startedAtMs: 10 }), scanOf([[9, 100, 9009]], { startedAtMs: 30 })]);
    expect(index.lookup(owner, 20, false)).toBe('match');
    expect(scans()).toBe(2);
  });

  it('bytes read before the scan began: its absence stands, no new scan', () => {
    const { index, scans } = indexWith([scanOf([], { startedAtMs: 30 })]);
    expect(index.lookup(owner, 20, false)).toBe('absent');
    expect(index.lookup(owner, 25, false)).toBe('absent');
    expect(scans()).toBe(1);
  });

  it('a tentative first look answers from the scan it has', () => {
    const { index, scans } = indexWith([scanOf([], { startedAtMs: 10 }), scanOf([[9, 100, 9009]], { startedAtMs: 60 })]);
    expect(index.lookup(owner, 50, true)).toBe('absent');
    expect(scans()).toBe(1);
  });

  it('a match or a pid in use in an older scan stands: it only keeps a lock', () => {
    const { index, scans } = indexWith([scanOf([[9, 100, 9009]], { startedAtMs: 10 })]);
    expect(index.lookup(owner, 20, false)).toBe('match');
    expect(index.lookup({ pid: 9 }, 20, false)).toBe('pid-exists');
    expect(scans()).toBe(1);
  });

  it('the model reports how often /proc was scanned and what the last scan found', () => {
    const { index, model } = indexWith([scanOf([], { startedAtMs: 10 }), scanOf([[1, 1, 1]], { startedAtMs: 30, unreadable: 2 })]);
    expect(index.lookup(owner, 20, false)).toBe('unprovable');
    expect(model.hostView).toEqual({ on: true, index: { scans: 2, processes: 1, unreadable: 2 } });
  });
});
