// What a lock says about its owner, in a shape common to every kind.
import type { OpenClawKind } from '../openclaw/kinds.js';

/** OpenClaw's kinds (openclaw/kinds.ts); generic: a --lock glob's; reclaim-*: what an interrupted reclaim left. */
export type LockKind = OpenClawKind | 'generic' | 'reclaim-guard' | 'reclaim-leftover';

export interface Owner {
  pid?: number;
  /** OpenClaw's token for one acquisition: a gateway lock's ownerId, and the owner column of the gateway-owner row it took. */
  ownerId?: string;
  /** Clock ticks since boot, as in /proc/<pid>/stat field 22. */
  starttime?: number;
  /** The owner process's start as epoch ms, for payloads that record it in ms (compared with tolerance). */
  processStartMs?: number;
  /** When the lock was taken, as recorded (ISO text). */
  createdAt?: string;
  maxHoldMs?: number;
  /** Boot id the writer ran under (/proc/sys/kernel/random/boot_id). */
  bootId?: string;
  /** Inode of the writer's /proc/self/ns/pid. */
  pidNsInode?: number;
  host?: string;
}

/** A payload parsed into an owner, or why it could not be. Never throws. */
export type ParsedPayload =
  | { ok: true; owner: Owner; createdAtMs?: number }
  | { ok: false; problem: 'empty' | 'unparseable' | 'no-pid'; owner: Owner; createdAtMs?: number };
