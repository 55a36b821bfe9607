// The `--json` report (docs/design.md, "The report"). Field names are a public contract: version 1.
import type { NamespaceModel } from '../model/types.js';
import type { LockKind, Owner } from '../locks/types.js';
import type { Reason, Verdict } from '../verdict/types.js';
import type { VolumeFacts } from '../volume/types.js';

export type Action = 'reclaimed' | 'would-reclaim' | 'kept' | 'failed';

export interface LockEntry {
  path: string;
  kind: LockKind;
  owner: Owner;
  verdict: Verdict;
  reasons: Reason[];
  action: Action;
  /** Age of the lock (from its newest timestamp) in ms, when known. */
  ageMs?: number;
  /** Why the action failed or what blocked it, for a person. */
  error?: string;
}

export interface VolumeEntry extends VolumeFacts {
  stateDir: string;
}

export interface Summary {
  locks: number;
  live: number;
  stale: number;
  unknown: number;
  reclaimed: number;
  errors: number;
  durationMs: number;
}

export interface Report {
  version: 1;
  mode: 'sweep' | 'inspect' | 'run';
  dryRun: boolean;
  namespace: NamespaceModel;
  volumes: VolumeEntry[];
  locks: LockEntry[];
  summary: Summary;
  /** Directories that could not be read: their locks were not judged. */
  problems?: { path: string; message: string }[];
  /** Set when a signal stopped the sweep at a safe point. */
  interrupted?: string;
}
