// What a lock file says about its owner, in a shape common to every kind.

export type LockKind = 'openclaw-session' | 'openclaw-store' | 'generic' | 'reclaim-guard' | 'reclaim-leftover';

export interface Owner {
  pid?: number;
  /** Clock ticks since boot, as in /proc/<pid>/stat field 22. */
  starttime?: number;
  /** ISO text as recorded. */
  createdAt?: string;
  maxHoldMs?: number;
  bootId?: string;
  pidNsInode?: number;
  host?: string;
}

/** A payload parsed into an owner, or why it could not be. Never throws. */
export type ParsedPayload =
  | { ok: true; owner: Owner; createdAtMs?: number }
  | { ok: false; problem: 'empty' | 'unparseable' | 'no-pid'; owner: Owner };

export interface LockFileFacts {
  path: string;
  kind: LockKind;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** The bytes read (at most 64 KiB), kept byte-exact for compare-and-delete. */
  bytes: Buffer;
  truncated: boolean;
}
