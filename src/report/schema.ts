// The `--json` report, version 1 (docs/design.md, "The report"), as zod/mini schemas: the one
// definition of its fields. types.ts derives the report's types from them, and the published JSON
// Schema, schema/report.v1.json, is generated from REPORT (test/unit/report-schema.test.ts keeps
// the committed file equal to it). The tests validate every report they read against REPORT.
//
// Parts that are lockguard's own types elsewhere (the namespace model, the owner, the volume facts,
// the lock kinds, the verdict) are checked against those types with z.toZod: a field or a value
// added there and not here, or the reverse, fails the typecheck. The reasons are the verdict's own lists.
import * as z from 'zod/mini';
import type { LockKind, Owner } from '../locks/types.js';
import type { HostViewFacts, NamespaceModel, Pid1Facts, ProcessFacts, ProcessProbe } from '../model/types.js';
import { LIVE_REASONS, NOTE_REASONS, STALE_REASONS, UNKNOWN_REASONS, type Reason, type Verdict } from '../verdict/types.js';
import type { VolumeFacts } from '../volume/types.js';

const count = z.int().check(z.nonnegative());
const pid = z.int().check(z.positive());
/** Clock ticks since boot, as in /proc/<pid>/stat field 22. */
const ticks = count;

const PROCESS_FACTS = z.toZod<ProcessFacts>()(z.strictObject({ pid, starttime: ticks, state: z.string(), ppid: count, pgrp: count, threads: count, comm: z.string() }));

const PROCESS_PROBE = z.toZod<ProcessProbe>()(
  z.discriminatedUnion('status', [
    z.strictObject({ pid, status: z.literal('absent') }),
    z.strictObject({ pid, status: z.literal('alive'), facts: PROCESS_FACTS }),
    z.strictObject({ pid, status: z.literal('invisible') }),
  ]),
);

const PID1 = z.toZod<Pid1Facts>()(z.strictObject({ comm: z.string(), argv: z.array(z.string()), starttime: ticks, isSelf: z.boolean(), isPauseOrInit: z.boolean() }));

const HOST_VIEW = z.toZod<HostViewFacts>()(
  z
    .discriminatedUnion('on', [
      z.strictObject({ on: z.literal(true), index: z.optional(z.strictObject({ scans: count, processes: count, unreadable: count })) }),
      z.strictObject({ on: z.literal(false), off: z.string() }),
    ])
    .check(z.describe('Whether lockguard sees every process on the machine (the host view); off says why not')),
);

const NAMESPACE = z.toZod<NamespaceModel>()(
  z.strictObject({
    pidNs: z.strictObject({ link: z.string(), inode: count, id: z.optional(z.string()) }),
    hostNs: z.boolean(),
    hostView: HOST_VIEW,
    selfPid: pid,
    parentPid: count,
    selfStarttime: ticks,
    pid1: z.nullable(PID1),
    bornAtMs: z.number(),
    bornAt: z.string(),
    bootId: z.string(),
    btime: count,
    bootMs: z.number(),
    clockTicks: count,
    phase: z.enum(['init', 'live']),
    processes: z.array(PROCESS_PROBE),
  }),
);

const VOLUME = z.toZod<VolumeFacts & { stateDir: string }>()(
  z.strictObject({
    stateDir: z.string(),
    mode: z.enum(['exclusive', 'shared']).check(z.describe('exclusive: only this container or pod uses the volume; shared: others may hold locks on it')),
    basis: z.enum(['flag', 'presence-lock', 'flock-unsupported']).check(z.describe('flag: the operator said so; presence-lock: the flock probe decided; flock-unsupported: auto fell back to shared')),
    filesystem: z.strictObject({ type: z.string(), local: z.boolean() }).check(z.describe("The state dir's filesystem by its statfs type (a name, or the magic in hex), and whether it is local")),
  }),
);

const KIND = z.toZod<LockKind>()(
  z.enum([
    'openclaw-session',
    'openclaw-store',
    'openclaw-gateway',
    'openclaw-exec-approvals',
    'openclaw-runtime-deps',
    'openclaw-lease',
    'openclaw-sidecar',
    'generic',
    'reclaim-guard',
    'reclaim-leftover',
  ]),
);

const OWNER = z.toZod<Owner>()(
  z.strictObject({
    pid: z.optional(pid),
    starttime: z.optional(ticks),
    processStartMs: z.optional(z.number()),
    createdAt: z.optional(z.string()),
    maxHoldMs: z.optional(z.number()),
    bootId: z.optional(z.string()),
    pidNsInode: z.optional(count),
    host: z.optional(z.string()),
    ownerId: z.optional(z.string().check(z.describe("OpenClaw's token for one acquisition: a gateway lock's ownerId, or the owner column of its gateway-owner row"))),
  }),
);

const VERDICT = z.toZod<Verdict>()(z.enum(['live', 'stale', 'unknown']).check(z.describe('stale: the owner is proven gone; unknown: it could not be judged, and the lock is kept')));
const REASON = z.toZod<Reason>()(z.enum([...LIVE_REASONS, ...STALE_REASONS, ...UNKNOWN_REASONS, ...NOTE_REASONS]).check(z.describe('The evidence behind the verdict; too-old is a note, never acted on alone')));
export const ACTION = z.enum(['reclaimed', 'would-reclaim', 'kept', 'failed']).check(z.describe('would-reclaim: what a dry run or inspect would have done'));

export const LOCK_ENTRY = z.strictObject({
  path: z.string(),
  kind: KIND,
  owner: OWNER,
  verdict: VERDICT,
  reasons: z.array(REASON),
  action: ACTION,
  ageMs: z.optional(z.int().check(z.describe('Age of the lock (from its newest timestamp) in ms, when known'))),
  error: z.optional(z.string().check(z.describe('Why the action failed or what blocked it, for a person'))),
});

export const SUMMARY = z.strictObject({
  locks: count,
  live: count,
  stale: count,
  unknown: count,
  reclaimed: count,
  errors: count,
  durationMs: z.number().check(z.nonnegative()),
});

export const REPORT = z.strictObject({
  version: z.literal(1),
  mode: z.enum(['sweep', 'inspect', 'run']),
  dryRun: z.boolean(),
  namespace: NAMESPACE,
  volumes: z.array(VOLUME),
  locks: z.array(LOCK_ENTRY),
  summary: SUMMARY,
  problems: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() })).check(z.describe('Directories that could not be read: their locks were not judged'))),
  interrupted: z.optional(z.string().check(z.describe('The signal that stopped the sweep at a safe point'))),
}).check(z.meta({ title: 'lockguard --json report, version 1', description: 'The one object `lockguard sweep --json` and `lockguard inspect --json` print on stdout' }));
