// Hostile input: fast-check fuzzing of lock payloads, 10,000 cases per lock kind, through
// parsePayload and then judge. Never a throw; always a defined verdict with known reasons;
// held-open always wins, and so does a match in the host view.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePayload, type PayloadKind } from '../../src/locks/payload.js';
import type { HostLookup, NamespaceModel, ProcessProbe } from '../../src/model/types.js';
import { judge, type Evidence } from '../../src/verdict/judge.js';
import type { VolumeFacts } from '../../src/volume/types.js';
import { modelOf } from '../unit/model-fixture.js';
import { LIVE_REASONS, NOTE_REASONS, STALE_REASONS, UNKNOWN_REASONS } from '../../src/verdict/types.js';

const RUNS = 10_000;
// Every payload kind: a kind added to PayloadKind and missing here fails the type check.
const KIND_SET: Record<PayloadKind, true> = {
  'openclaw-session': true,
  'openclaw-store': true,
  'openclaw-gateway': true,
  'openclaw-sidecar': true,
  'openclaw-exec-approvals': true,
  'openclaw-runtime-deps': true,
  generic: true,
  'reclaim-guard': true,
};
const KINDS = Object.keys(KIND_SET) as PayloadKind[];
const REASONS = new Set<string>([...LIVE_REASONS, ...STALE_REASONS, ...UNKNOWN_REASONS, ...NOTE_REASONS]);
const NOW = Date.now();

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 22, 2 ** 22 + 1, 2 ** 31, 2 ** 53, 2 ** 64, 1e308, -0, 5e-324, Number.MAX_SAFE_INTEGER + 2),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  fc.string({ maxLength: 300 }),
  fc.constantFrom(null, true, false, [], {}, '7', ' 7', '0x7', '1e3', 'NaN', 'Infinity', '2026-05-26T07:22:46.211Z', '+275760-09-13T00:00:00.000Z', 'pid:[4026532180]'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
);
const FIELDS = ['pid', 'createdAt', 'starttime', 'startTime', 'maxHoldMs', 'startedAt', 'createdAtMs', 'pidStartTimeMs', 'bootId', 'pidNsInode', 'processNamespace', 'configPath', '__proto__', 'constructor', 'toString'];
const objectPayload = fc
  .tuple(fc.dictionary(fc.constantFrom(...FIELDS), hostileValue, { maxKeys: 8 }), fc.constantFrom('', '\n', '   \n\t', '\n  token-ish  \n', '\u0000', '}'))
  .map(([object, tail]) => JSON.stringify(object) + tail);
const bytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
  fc.json({ maxDepth: 4 }).map((s) => new TextEncoder().encode(s)),
  objectPayload.map((s) => new TextEncoder().encode(s)),
  fc.integer({ min: -10, max: 2 ** 23 }).map((n) => new TextEncoder().encode(` ${n}\n`)),
);

const model = fc.record({
  inode: fc.constantFrom(4026532180, 4026531836),
  bornAtMs: fc.integer({ min: NOW - 86_400_000, max: NOW }),
  selfPid: fc.integer({ min: 1, max: 100 }),
  bootId: fc.constantFrom('037cbfb9-8a94-4857-9ba2-4f726ff72ca4', 'boot-b'),
}).map(
  (m): NamespaceModel =>
    modelOf({
      pidNs: { link: `pid:[${m.inode}]`, inode: m.inode },
      hostNs: m.inode === 4026531836,
      hostView: m.inode === 4026531836 ? { on: true } : { on: false, off: 'not the host' },
      selfPid: m.selfPid,
      pid1: null,
      bornAtMs: m.bornAtMs,
      bornAt: new Date(m.bornAtMs).toISOString(),
      bootId: m.bootId,
    }),
);
const volume = fc
  .tuple(
    fc.constantFrom<Pick<VolumeFacts, 'mode' | 'basis'>>(
      { mode: 'exclusive', basis: 'flag' },
      { mode: 'exclusive', basis: 'presence-lock' },
      { mode: 'shared', basis: 'presence-lock' },
      { mode: 'shared', basis: 'flock-unsupported' },
    ),
    fc.constantFrom<VolumeFacts['filesystem']>({ type: 'ext2/3/4', local: true }, { type: 'nfs', local: false }),
  )
  .map(([mode, filesystem]): VolumeFacts => ({ ...mode, filesystem }));
const hostLookup = fc.constantFrom<HostLookup | undefined>(undefined, 'match', 'pid-exists', 'absent', 'unprovable');
const probeKind = fc.constantFrom('absent', 'invisible', 'alive', 'none', 'zombie');
const mtime = fc.option(fc.oneof(fc.integer({ min: 0, max: NOW + 86_400_000 }), fc.constant(Number.NaN)), { nil: undefined });

function probeOf(kind: string, pid: number | undefined, starttime: number): ProcessProbe | undefined {
  if (pid === undefined || kind === 'none') return undefined;
  if (kind === 'absent' || kind === 'invisible') return { pid, status: kind };
  return { pid, status: 'alive', facts: { pid, starttime, state: kind === 'zombie' ? 'Z' : 'S', ppid: 1, pgrp: pid, threads: 1, comm: 'x' } };
}

describe('fuzzing payloads through parsePayload and judge', () => {
  it.each(KINDS)('%s: 10,000 hostile payloads, never a throw, always a defined verdict', { timeout: 120_000 }, (kind) => {
    fc.assert(
      fc.property(
        bytes,
        model,
        volume,
        fc.constantFrom<Evidence['openForWrite']>('held-open', 'free', 'unknown'),
        fc.constantFrom<Evidence['recordLock']>('held', 'free', 'none', 'unknown'),
        probeKind,
        fc.integer({ min: 0, max: 2 ** 40 }),
        mtime,
        hostLookup,
        (payloadBytes, m, v, openForWrite, recordLock, probe, starttime, mtimeMs, host) => {
          const payload = parsePayload(kind, payloadBytes);
          expect(typeof payload.ok).toBe('boolean');
          const evidence: Evidence = { payload, mtimeMs, openForWrite, recordLock, process: probeOf(probe, payload.owner.pid, starttime), ...(host ? { host } : {}) };
          const judgement = judge(evidence, m, v, { nowMs: NOW, graceMs: 30_000, tooOldMs: 30 * 60_000 });
          expect(['live', 'stale', 'unknown']).toContain(judgement.verdict);
          expect(judgement.reasons.length).toBeGreaterThan(0);
          for (const reason of judgement.reasons) expect(REASONS.has(reason), reason).toBe(true);
          if (openForWrite === 'held-open') {
            expect(judgement.verdict).toBe('live');
            expect(judgement.reasons).toContain('held-open');
          }
          // sweep/entry.ts looks the owner up only for a payload that names one, where the host view applies.
          if (host === 'match' && payload.ok && m.hostView.on && v.filesystem.local) expect(judgement.verdict).not.toBe('stale');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each(KINDS)('%s: pathological payloads at the 64 KiB read bound', (kind) => {
    const bound = 64 * 1024;
    const cases = [
      '['.repeat(bound),
      '{"a":'.repeat(bound / 5) + '1' + '}'.repeat(bound / 5),
      `{"pid":7,"createdAt":"${'9'.repeat(bound - 40)}"}`,
      `{"pid":7${',"pid":8'.repeat(8000)}}`,
      ' '.repeat(bound),
      '\uFEFF{"pid":7}',
    ];
    for (const text of cases) {
      const payload = parsePayload(kind, new TextEncoder().encode(text));
      expect(typeof payload.ok).toBe('boolean');
    }
  });
});
