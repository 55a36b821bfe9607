// Which files in a state dir are OpenClaw's locks, and of what kind. The sweep walks these patterns
// beside the user's --lock globs; everything else in the state dir is never touched.

/** Lock files and directories OpenClaw writes; the parsers for their payloads are in payloads.ts. */
export type OpenClawFileKind = 'openclaw-session' | 'openclaw-store' | 'openclaw-gateway' | 'openclaw-sidecar' | 'openclaw-exec-approvals' | 'openclaw-runtime-deps';
/** Every kind of OpenClaw lock: the files, and the lease rows in its SQLite state DBs (leases.ts). */
export type OpenClawKind = OpenClawFileKind | 'openclaw-lease';

/** fs-safe sidecar locks of 2026.9 under the state dir: the lock of each target OpenClaw writes there. */
const SIDECAR_LOCKS = [
  'openclaw.json.lock', // config mutation
  'agents/*/agent/openclaw-agent.sqlite.lock', // auth profile store, per agent
  'state/openclaw.sqlite.lock', // shared auth profile store
  'state/openclaw.sqlite.sandbox-*.lock', // sandbox registry entries
  'locks/oauth-refresh/lock-*.lock', // OAuth refresh, per provider and profile
  'locks/provider-auth-persistence/lock-*.lock', // provider auth persistence
  'locks/memory-promotion-*.lock', // memory promotion, per workspace
  '.memory-host-events-export-*.lock', // memory event export, per workspace
  'migration/onboarding.lock-target.lock', // onboarding writes
  'agents/*/agent/settings.json.lock', // agent settings
  'agents/*/agent/auth-profiles.json.lock', // doctor: legacy auth profile sources …
  'agents/*/agent/auth-state.json.lock',
  'agents/*/agent/auth.json.lock',
  'credentials/oauth.json.lock', // … and the legacy OAuth file
  'sandbox/containers.json.lock', // doctor: legacy sandbox registries
  'sandbox/browsers.json.lock',
  'acp/event-ledger.json.lock', // doctor: legacy ACP replay ledger
  'mcp-oauth/*.json.lock', // doctor: legacy MCP OAuth stores
  'debug-proxy/certs/root-ca-key.pem.lock', // debug proxy CA
];

/** Globs relative to the state dir ("*" and "?" within a segment); `directory`: mkdir is the lock, owner.json its payload. */
export const OPENCLAW_PATTERNS: readonly { glob: string; kind: OpenClawFileKind; form: 'file' | 'directory' }[] = [
  // Legacy (2026.1 to 2026.7; 2026.8 took no session locks): session transcripts' locks and the session store's.
  { glob: 'agents/*/sessions/*.jsonl.lock', kind: 'openclaw-session', form: 'file' },
  { glob: 'agents/*/sessions/sessions.json.lock', kind: 'openclaw-store', form: 'file' },
  // Gateway/state locks, each with a <lock>.sqlite coordinator: under tmp/openclaw-<uid>/ since 2026.8 (tmp/openclaw/
  // without a uid). 2026.7 and before kept them in the system tmp dir, off the volume; the state root is issue 7's.
  ...['', 'tmp/openclaw/', 'tmp/openclaw-*/'].flatMap((dir) => [
    { glob: `${dir}gateway.state.lock`, kind: 'openclaw-gateway' as const, form: 'file' as const },
    { glob: `${dir}gateway.????????.lock`, kind: 'openclaw-gateway' as const, form: 'file' as const },
  ]),
  // 2026.9: fs-safe sidecar locks (`<target>.lock`, and `<target>.lock.reclaim` guards beside them) where OpenClaw
  // puts them under the state dir, by default paths; docs/openclaw-2026.9.md §5 lists each caller.
  ...SIDECAR_LOCKS.map((glob) => ({ glob, kind: 'openclaw-sidecar' as const, form: 'file' as const })),
  // Legacy: not written by 2026.5.28, 2026.7.35, 2026.8.2 or 2026.9.6.
  { glob: 'exec-approvals.json.lock', kind: 'openclaw-exec-approvals', form: 'file' },
  { glob: 'plugin-runtime-deps/*/.openclaw-runtime-deps.lock', kind: 'openclaw-runtime-deps', form: 'directory' },
  { glob: 'plugin-runtime-deps/*/.openclaw-runtime-mirror.lock', kind: 'openclaw-runtime-deps', form: 'directory' },
];
