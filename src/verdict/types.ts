// Verdicts and the reasons that name their evidence (docs/design.md, "The verdict"). Names follow OpenClaw's where they overlap.

export type Verdict = 'live' | 'stale' | 'unknown';

export const LIVE_REASONS = ['held-open', 'held-lock', 'live-pid', 'live-elsewhere', 'owner-lock-live'] as const;
export const STALE_REASONS = ['dead-pid', 'recycled-pid', 'orphan-self-pid', 'previous-namespace', 'previous-boot', 'malformed', 'no-such-process', 'owner-lock-stale'] as const;
/** Why a lock could not be judged; it is kept. */
export const UNKNOWN_REASONS = [
  'malformed-in-grace',
  'foreign-namespace',
  'namespace-unproven',
  'created-after-namespace',
  'shared-volume',
  'probe-failed',
  'not-a-regular-file',
  'no-owner',
  'pid-in-use',
] as const;
/** Reported, never acted on alone. */
export const NOTE_REASONS = ['too-old'] as const;

export type LiveReason = (typeof LIVE_REASONS)[number];
export type StaleReason = (typeof STALE_REASONS)[number];
export type UnknownReason = (typeof UNKNOWN_REASONS)[number];
export type Reason = LiveReason | StaleReason | UnknownReason | (typeof NOTE_REASONS)[number];

export interface Judgement {
  verdict: Verdict;
  reasons: Reason[];
}
