// The presence lock (docs/design.md, "Volumes"): every lockguard keeps flock(LOCK_SH) on
// <state-dir>/.lockguard/presence while it runs. In auto mode, LOCK_EX|LOCK_NB decides:
// success means no other lockguard on this kernel uses the volume. The kernel drops the
// lock when its holder dies, even by SIGKILL, so there is no heartbeat and no TTL.
import { closeSync, constants, lstatSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ERRNO, errnoName, FLOCK, flock } from '../kernel/ffi.js';
import type { VolumeMode } from './types.js';

export interface Presence {
  facts: VolumeMode;
  /** Why auto fell back to shared, when it did. */
  warning?: string;
  /** Trade an exclusive hold for a shared one once the sweep is done; others then see a shared volume. False while another sweep holds it exclusively. */
  share(): boolean;
  release(): void;
}

export function presencePath(stateDir: string): string {
  return join(stateDir, '.lockguard', 'presence');
}

export function takePresence(stateDir: string, declared: 'auto' | 'exclusive' | 'shared'): Presence {
  let fd: number;
  try {
    fd = openPresenceFile(stateDir);
  } catch (error) {
    const warning = `${presencePath(stateDir)}: ${(error as Error).message}; the volume is treated as shared`;
    return declared === 'auto' ? unheld({ mode: 'shared', basis: 'flock-unsupported' }, warning) : unheld({ mode: declared, basis: 'flag' });
  }
  if (declared !== 'auto') {
    flock(fd, FLOCK.SH | FLOCK.NB);
    return held(fd, { mode: declared, basis: 'flag' });
  }
  const exclusive = flock(fd, FLOCK.EX | FLOCK.NB);
  if (exclusive.ok) return held(fd, { mode: 'exclusive', basis: 'presence-lock' });
  if (exclusive.errno !== ERRNO.EAGAIN) {
    closeSync(fd);
    return unheld({ mode: 'shared', basis: 'flock-unsupported' }, `${presencePath(stateDir)}: flock failed (${errnoName(exclusive.errno)}); the volume is treated as shared`);
  }
  // Another lockguard is here. Announce ourselves too; if it is mid-sweep (holding LOCK_EX) this fails now and share() retries.
  flock(fd, FLOCK.SH | FLOCK.NB);
  return held(fd, { mode: 'shared', basis: 'presence-lock' });
}

function openPresenceFile(stateDir: string): number {
  const dir = join(stateDir, '.lockguard');
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw describe(error, dir);
  }
  if (!lstatSync(dir).isDirectory()) throw new Error(`${dir} is not a directory (a symlink?)`);
  const path = join(dir, 'presence');
  try {
    return openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  } catch (error) {
    // A read-only volume may still hold a presence file: flock works on a read-only fd.
    try {
      return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      throw describe(error, path);
    }
  }
}

function describe(error: unknown, path: string): Error {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new Error(`cannot create ${path} (${code})`);
}

function held(fd: number, facts: VolumeMode): Presence {
  let open = true;
  return {
    facts,
    share() {
      return open && flock(fd, FLOCK.SH | FLOCK.NB).ok;
    },
    release() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

function unheld(facts: VolumeMode, warning?: string): Presence {
  return { facts, ...(warning ? { warning } : {}), share: () => false, release() {} };
}

/** What a sweep would decide, without creating or keeping anything (inspect, dry runs). */
export function inspectPresence(stateDir: string, declared: 'auto' | 'exclusive' | 'shared'): Presence {
  if (declared !== 'auto') return unheld({ mode: declared, basis: 'flag' });
  let fd: number;
  try {
    fd = openSync(presencePath(stateDir), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    // No presence file: no lockguard has ever run here, so none holds it now.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return unheld({ mode: 'exclusive', basis: 'presence-lock' });
    return unheld({ mode: 'shared', basis: 'flock-unsupported' }, `${presencePath(stateDir)}: unreadable; the volume is treated as shared`);
  }
  try {
    const exclusive = flock(fd, FLOCK.EX | FLOCK.NB);
    if (exclusive.ok) flock(fd, FLOCK.UN);
    return unheld({ mode: exclusive.ok ? 'exclusive' : 'shared', basis: 'presence-lock' });
  } finally {
    closeSync(fd);
  }
}
