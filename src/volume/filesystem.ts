// The state dir's filesystem, by its statfs type (docs/design.md, "The host view"). On a local one
// every process that can write a lock runs on this kernel, so the host's /proc lists it. On a network
// or FUSE filesystem a writer may run on another machine, and the lease probe sees only local openers.
import { statfsSync } from 'node:fs';
import type { FilesystemFacts } from './types.js';

/** Local filesystems, by statfs magic (linux/magic.h). Anything not listed is treated as not local. */
const LOCAL = new Map<number, string>([
  [0xef53, 'ext2/3/4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x858458f6, 'ramfs'],
  [0x794c7630, 'overlayfs'],
  [0xf2f52010, 'f2fs'],
  [0x2fc12fc1, 'zfs'],
  [0xca451a4e, 'bcachefs'],
  [0x3153464a, 'jfs'],
  [0x52654973, 'reiserfs'],
  [0x3434, 'nilfs2'],
  [0x2011bab0, 'exfat'],
  [0x4d44, 'vfat'],
]);

/** Not local: named so that the report says what it is. FUSE's magic also covers virtiofs, sshfs, bindfs and the like. */
const NOT_LOCAL = new Map<number, string>([
  [0x6969, 'nfs'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x517b, 'smb'],
  [0x00c36400, 'ceph'],
  [0x65735546, 'fuse'],
  [0x01021997, '9p'],
  [0x5346414f, 'afs'],
  [0x6b414653, 'afs'],
  [0x01161970, 'gfs2'],
  [0x7461636f, 'ocfs2'],
  [0x0bd00bd0, 'lustre'],
  [0x47504653, 'gpfs'],
]);

/** A statfs type (f_type) → its name and whether it is local. */
export function filesystemOf(magic: number): FilesystemFacts {
  const type = magic >>> 0;
  const local = LOCAL.get(type);
  if (local !== undefined) return { type: local, local: true };
  return { type: NOT_LOCAL.get(type) ?? `0x${type.toString(16)}`, local: false };
}

/** The state dir's filesystem; one that statfs cannot tell counts as not local. */
export function readFilesystem(stateDir: string): FilesystemFacts {
  try {
    return filesystemOf(statfsSync(stateDir).type);
  } catch (error) {
    return { type: `unknown (statfs: ${(error as NodeJS.ErrnoException).code ?? 'failed'})`, local: false };
  }
}

/** Why the host view is off for a volume on this filesystem, in one line; undefined where it applies. */
export function hostViewOffFor(filesystem: FilesystemFacts): string | undefined {
  if (filesystem.local) return undefined;
  return `${filesystem.type} is not a local filesystem: a writer on another machine is not in this /proc, and its lease probe may see only local openers`;
}
