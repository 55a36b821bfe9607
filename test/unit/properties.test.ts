// Property tests: whatever else a lock or the kernel says, proof of life is never overruled; the host
// view, correlated evidence and the empty-guard rule each prove only what they may; and no payload
// bytes make the parser throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePayload, type PayloadKind } from '../../src/locks/payload.js';
import type { ParsedPayload } from '../../src/locks/types.js';
import type { HostLookup, HostViewFacts, NamespaceModel, ProcessProbe } from '../../src/model/types.js';
import { judge, judgeProbingLast, type Evidence, type Policy } from '../../src/verdict/judge.js';
import type { Judgement } from '../../src/verdict/types.js';
import type { VolumeFacts } from '../../src/volume/types.js';
import { BORN_MS, BTIME, modelOf, NOW_MS } from './model-fixture.js';

const RUNS = { numRuns: 2_000 };
const KINDS: PayloadKind[] = ['openclaw-session', 'openclaw-store', 'generic', 'reclaim-guard'];
const timeMs = fc.integer({ min: BTIME * 1000 - 86_400_000, max: NOW_MS + 86_400_000 });

const owner = fc.record(
  {
    pid: fc.integer({ min: 1, max: 64 }),
    starttime: fc.integer({ min: 0, max: 2_000_000 }),
    processStartMs: timeMs,
    bootId: fc.constantFrom('boot-a', 'boot-old'),
    pidNsInode: fc.constantFrom(4026532180, 4026531999, 4026531836),
  },
  { requiredKeys: ['pid'] },
);

const payload: fc.Arbitrary<ParsedPayload> = fc.oneof(
  fc.tuple(owner, fc.option(timeMs, { nil: undefined })).map(([o, createdAtMs]) => ({ ok: true as const, owner: o, ...(createdAtMs === undefined ? {} : { createdAtMs }) })),
  fc.constantFrom('empty', 'unparseable', 'no-pid').map((problem) => ({ ok: false as const, problem, owner: {} })),
);

const probeFor = (pid: number): fc.Arbitrary<ProcessProbe> =>
  fc.oneof(
    fc.constant({ pid, status: 'absent' as const }),
    fc.constant({ pid, status: 'invisible' as const }),
    fc.record({ starttime: fc.integer({ min: 0, max: 2_000_000 }), state: fc.constantFrom('S', 'R', 'Z', 'D'), threads: fc.integer({ min: 1, max: 4 }) }).map((f) => ({
      pid,
      status: 'alive' as const,
      facts: { pid, comm: 'x', ppid: 1, pgrp: pid, ...f },
    })),
  );

const evidence: fc.Arbitrary<Evidence> = payload.chain((p) =>
  fc.record({
    payload: fc.constant(p),
    mtimeMs: fc.option(timeMs, { nil: undefined }),
    openForWrite: fc.constantFrom('held-open' as const, 'free' as const, 'unknown' as const),
    recordLock: fc.constantFrom('held' as const, 'free' as const, 'none' as const, 'unknown' as const),
    process: p.owner.pid === undefined ? fc.constant(undefined) : fc.option(probeFor(p.owner.pid), { nil: undefined }),
    host: fc.option(fc.constantFrom<HostLookup>('match', 'pid-exists', 'absent', 'unprovable'), { nil: undefined }),
    // A row's correlated evidence (only rows that name a process get it), and an empty guard (no payload by design).
    sameOwner: p.ok ? fc.option(fc.constantFrom('live' as const, 'stale' as const), { nil: undefined }) : fc.constant(undefined),
    ownerless: p.ok ? fc.constant(undefined) : fc.option(fc.constant(true), { nil: undefined }),
  }),
);

const LOCAL = { type: 'ext2/3/4', local: true } as const;
const volume: fc.Arbitrary<VolumeFacts> = fc
  .tuple(
    fc.constantFrom(
      { mode: 'exclusive', basis: 'flag' } as const,
      { mode: 'exclusive', basis: 'presence-lock' } as const,
      { mode: 'shared', basis: 'presence-lock' } as const,
      { mode: 'shared', basis: 'flock-unsupported' } as const,
    ),
    fc.constantFrom(LOCAL, { type: 'fuse', local: false } as const),
  )
  .map(([mode, filesystem]) => ({ ...mode, filesystem }));

const hostView = fc.constantFrom<HostViewFacts>({ on: true }, { on: false, off: 'not the host' });
const model = fc
  .record({ selfPid: fc.integer({ min: 1, max: 64 }), parentPid: fc.integer({ min: 0, max: 64 }), hostNs: fc.boolean(), hostView, bootId: fc.constantFrom('boot-a', 'boot-b') })
  .map((m) => modelOf(m));
const policy = fc.record({ nowMs: fc.integer({ min: BORN_MS, max: NOW_MS + 86_400_000 }), graceMs: fc.integer({ min: 0, max: 120_000 }), tooOldMs: fc.constant(1_800_000) });

describe('the verdict never overrules proof of life', () => {
  it('held-open or held-lock evidence is never stale', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, fc.constantFrom('open', 'lock'), (e, m, v, p, which) => {
        const held: Evidence = which === 'open' ? { ...e, openForWrite: 'held-open' } : { ...e, recordLock: 'held' };
        expect(judge(held, m, v, p).verdict).toBe('live');
      }),
      RUNS,
    );
  });

  it('a lock file of the same owner found live (owner-lock-live) is never overruled', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        if (!e.payload.ok) return;
        expect(judge({ ...e, sameOwner: 'live' }, m, v, p).verdict).toBe('live');
      }),
      RUNS,
    );
  });

  it('a live process with the recorded pid and starttime is never stale', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, fc.constantFrom('S', 'R', 'D'), (e, m, v, p, state) => {
        if (!e.payload.ok || e.payload.owner.starttime === undefined) return;
        const { pid, starttime } = e.payload.owner as { pid: number; starttime: number };
        const living: Evidence = { ...e, process: { pid, status: 'alive', facts: { pid, comm: 'x', starttime, state, ppid: 1, pgrp: pid, threads: 1 } } };
        expect(judge(living, m, v, p).verdict).not.toBe('stale');
      }),
      RUNS,
    );
  });

  it('where the host view applies, a process with the recorded pid and start in any namespace (a match) is never stale', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        // The host view is looked up only for a payload that names a pid (sweep/entry.ts).
        if (!m.hostView.on || !v.filesystem.local || !e.payload.ok) return;
        expect(judge({ ...e, host: 'match' }, m, v, p).verdict).not.toBe('stale');
      }),
      RUNS,
    );
  });

  it('a stale verdict always cites a proof of death', () => {
    const deathReasons = new Set(['dead-pid', 'recycled-pid', 'orphan-self-pid', 'previous-namespace', 'previous-boot', 'malformed', 'no-such-process', 'owner-lock-stale']);
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        const { verdict, reasons } = judge(e, m, v, p);
        if (verdict === 'stale') expect(reasons.every((r) => deathReasons.has(r))).toBe(true);
        else expect(reasons.some((r) => deathReasons.has(r))).toBe(false);
      }),
      RUNS,
    );
  });

  it('on a shared volume, only same-namespace proofs, the host view or a malformed payload make a lock stale', () => {
    fc.assert(
      fc.property(evidence, model, policy, (e, m, p) => {
        const { reasons } = judge(e, m, { mode: 'shared', basis: 'presence-lock', filesystem: LOCAL }, p);
        expect(reasons).not.toContain('previous-namespace');
        expect(reasons).not.toContain('previous-boot');
      }),
      RUNS,
    );
  });
});

describe('the lease probe asked last (judgeProbingLast) judges as judge does', () => {
  const leaseAnswers: Evidence['openForWrite'][] = ['held-open', 'free', 'unknown'];
  const hostAnswers: (HostLookup | undefined)[] = [undefined, 'match', 'pid-exists', 'absent', 'unprovable'];

  it("gives judge's verdict on all the evidence, judge's very judgement wherever it probed, and skips the probes only where every answer is live", () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, ({ openForWrite, host, ...rest }, m, v, p) => {
        const asked = { openForWrite: 0, host: 0 };
        const probes = {
          openForWrite: () => (asked.openForWrite++, openForWrite),
          host: () => (asked.host++, host),
        };
        const twoStep = judgeProbingLast(rest, probes, m, v, p);
        const full = judge({ ...rest, openForWrite, ...(host === undefined ? {} : { host }) }, m, v, p);
        expect(twoStep.verdict).toBe(full.verdict);
        expect(asked.openForWrite).toBeLessThanOrEqual(1);
        // The host view is looked up only after the lease, and never for a lock held open (no scan of /proc for it).
        expect(asked.host).toBe(asked.openForWrite === 1 && openForWrite !== 'held-open' ? 1 : 0);
        if (asked.openForWrite === 1) {
          expect(twoStep).toEqual(full);
          return;
        }
        for (const lease of leaseAnswers) {
          for (const answer of hostAnswers) {
            const judged = judge({ ...rest, openForWrite: lease, ...(answer === undefined ? {} : { host: answer }) }, m, v, p);
            expect(judged.verdict).toBe('live');
            // The reasons differ only where judge names a proof of life it checks first (held-open, live-elsewhere).
            if (lease !== 'held-open' && answer !== 'match') expect(twoStep).toEqual(judged);
          }
        }
      }),
      RUNS,
    );
  });

  it('asks the lease of every lock that could be stale', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, ({ openForWrite, host, ...rest }, m, v, p) => {
        let asked = false;
        judgeProbingLast(rest, { openForWrite: () => ((asked = true), 'free'), host: () => host }, m, v, p);
        const couldBeStale = leaseAnswers.some((lease) => hostAnswers.some((answer) => judge({ ...rest, openForWrite: lease, ...(answer === undefined ? {} : { host: answer }) }, m, v, p).verdict === 'stale'));
        if (couldBeStale) expect(asked).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('the host view', () => {
  it('no-such-process only where the host view applies, no process can be the owner, the lock is free and of this boot', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        if (!judge(e, m, v, p).reasons.includes('no-such-process')) return;
        expect(m.hostView.on && v.filesystem.local).toBe(true);
        expect(e.host).toBe('absent');
        expect(e.openForWrite).toBe('free');
        expect(e.recordLock === 'free' || e.recordLock === 'none').toBe(true);
        expect(e.payload.owner.bootId === undefined || e.payload.owner.bootId === m.bootId).toBe(true);
      }),
      RUNS,
    );
  });

  it('where it does not apply (not the host, or not a local filesystem), the lookup changes no verdict', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        if (m.hostView.on && v.filesystem.local) return;
        const { before, after } = withAndWithout(e, 'host', m, v, p);
        expect(after).toEqual(before);
      }),
      RUNS,
    );
  });

  it('it only ever turns an unknown verdict into another: a lookup never overrules a proof made without it, except a match, which keeps the lock', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        const { host } = e;
        if (host === undefined) return;
        const { before, after } = withAndWithout(e, 'host', m, v, p);
        if (host === 'match' && m.hostView.on && v.filesystem.local) expect(after.verdict === 'live' || after.verdict === before.verdict).toBe(true);
        // Where correlated evidence made a row stale, the row's own no-such-process may be reported instead: still stale.
        else if (before.reasons.includes('owner-lock-stale')) expect(['owner-lock-stale', 'no-such-process']).toContain(after.reasons[0]);
        else if (before.verdict !== 'unknown') expect(after).toEqual(before);
      }),
      RUNS,
    );
  });
});

describe('correlated evidence', () => {
  it("owner-lock-stale only where the row's lock file was proven stale and the row's own proofs, the host view's included, left it unknown", () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        const { before, after } = withAndWithout(e, 'sameOwner', m, v, p);
        if (!after.reasons.includes('owner-lock-stale')) return;
        expect(e.sameOwner).toBe('stale');
        expect(before.verdict).toBe('unknown');
      }),
      RUNS,
    );
  });

  it('it never overrules a proof made without it, except a live lock file, which keeps the row', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        if (e.sameOwner === undefined) return;
        const { before, after } = withAndWithout(e, 'sameOwner', m, v, p);
        if (e.sameOwner === 'live') expect(after.verdict).toBe('live');
        else if (before.verdict !== 'unknown') expect(after).toEqual(before);
      }),
      RUNS,
    );
  });

  it("a row its own proofs leave unknown is stale once its lock file was, given the lease probe and the coordinator's answer", () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        if (e.sameOwner !== 'stale' || e.openForWrite !== 'free' || e.recordLock === 'unknown') return;
        const { before, after } = withAndWithout(e, 'sameOwner', m, v, p);
        if (before.verdict === 'unknown') expect(after.verdict).toBe('stale');
      }),
      RUNS,
    );
  });
});

describe('an empty reclaim guard (a record without an owner by design)', () => {
  const ownerless = (e: Evidence): boolean => !e.payload.ok && e.ownerless === true;

  it('is stale only on an exclusive volume, only as previous-boot or previous-namespace', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        if (!ownerless(e)) return;
        const { verdict, reasons } = judge(e, m, v, p);
        if (verdict !== 'stale') return;
        expect(v.mode).toBe('exclusive');
        expect(['previous-boot', 'previous-namespace']).toContain(reasons[0]);
      }),
      RUNS,
    );
  });

  it('its age proves nothing: the verdict is the same at any later time', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, fc.integer({ min: 0, max: 30 * 86_400_000 }), (e, m, v, p, laterMs) => {
        if (!ownerless(e)) return;
        expect(judge(e, m, v, { ...p, nowMs: p.nowMs + laterMs }).verdict).toBe(judge(e, m, v, p).verdict);
      }),
      RUNS,
    );
  });

  it('it names no pid, so the host view proves nothing about it', () => {
    fc.assert(
      fc.property(evidence, model, volume, policy, (e, m, v, p) => {
        if (!ownerless(e) || e.host === undefined) return;
        const { before, after } = withAndWithout(e, 'host', m, v, p);
        expect(after).toEqual(before);
      }),
      RUNS,
    );
  });
});

/** The verdict without one piece of evidence (before) and with it (after): what that evidence changes. */
function withAndWithout(e: Evidence, key: 'host' | 'sameOwner', m: NamespaceModel, v: VolumeFacts, p: Policy): { before: Judgement; after: Judgement } {
  const without = { ...e };
  delete without[key];
  return { before: judge(without, m, v, p), after: judge(e, m, v, p) };
}

describe('the payload parser is total', () => {
  it('never throws on arbitrary bytes, for every kind', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(...KINDS), (raw, kind) => {
        const parsed = parsePayload(kind, raw);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary JSON values, and reads a pid only when it is a positive integer', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...KINDS), (value, kind) => {
        const parsed = parsePayload(kind, Buffer.from(JSON.stringify(value) ?? ''));
        if (parsed.ok) expect(Number.isSafeInteger(parsed.owner.pid) && parsed.owner.pid! > 0).toBe(true);
      }),
      RUNS,
    );
  });
});
