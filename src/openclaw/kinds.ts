// Which files in a state dir are OpenClaw's locks, and of what kind. The sweep walks these patterns
// beside the user's --lock globs; everything else in the state dir is never touched.

/** Lock files and directories OpenClaw writes; the parsers for their payloads are in payloads.ts. */
export type OpenClawFileKind = 'openclaw-session' | 'openclaw-store' | 'openclaw-gateway' | 'openclaw-exec-approvals' | 'openclaw-runtime-deps';
/** Every kind of OpenClaw lock: the files, and the lease rows in its SQLite state DBs (leases.ts). */
export type OpenClawKind = OpenClawFileKind | 'openclaw-lease';

/** Globs relative to the state dir ("*" and "?" within a segment); `directory`: mkdir is the lock, owner.json its payload. */
export const OPENCLAW_PATTERNS: readonly { glob: string; kind: OpenClawFileKind; form: 'file' | 'directory' }[] = [
  // Legacy (before 2026.9): session transcripts' locks and the session store's.
  { glob: 'agents/*/sessions/*.jsonl.lock', kind: 'openclaw-session', form: 'file' },
  { glob: 'agents/*/sessions/sessions.json.lock', kind: 'openclaw-store', form: 'file' },
  // 2026.7+: gateway/state locks (since 2026-08 under tmp/openclaw-<uid>/, before at the root), each with a <lock>.sqlite coordinator.
  ...['', 'tmp/openclaw/', 'tmp/openclaw-*/'].flatMap((dir) => [
    { glob: `${dir}gateway.state.lock`, kind: 'openclaw-gateway' as const, form: 'file' as const },
    { glob: `${dir}gateway.????????.lock`, kind: 'openclaw-gateway' as const, form: 'file' as const },
  ]),
  { glob: 'exec-approvals.json.lock', kind: 'openclaw-exec-approvals', form: 'file' },
  { glob: 'plugin-runtime-deps/*/.openclaw-runtime-deps.lock', kind: 'openclaw-runtime-deps', form: 'directory' },
  { glob: 'plugin-runtime-deps/*/.openclaw-runtime-mirror.lock', kind: 'openclaw-runtime-deps', form: 'directory' },
];
