// The coordinator evidence in the pure verdict: held is proof of life, and an unanswered probe is no proof of death.
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/verdict/judge.js';
import { EXCLUSIVE_FLAG, evidenceOf, modelOf, POLICY } from '../unit/model-fixture.js';

const model = modelOf();
const previousContainer = (recordLock: 'held' | 'free' | 'none' | 'unknown') => evidenceOf(1, -60_000, { pidNsInode: 4026532999, bootId: 'boot-a', recordLock });

describe('judge with a SQLite coordinator', () => {
  it('reclaims a previous container\'s gateway lock only when its coordinator is free or absent', () => {
    expect(judge(previousContainer('free'), model, EXCLUSIVE_FLAG, POLICY)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'] });
    expect(judge(previousContainer('none'), model, EXCLUSIVE_FLAG, POLICY)).toEqual({ verdict: 'stale', reasons: ['previous-namespace'] });
  });

  it('keeps it when anyone holds the coordinator', () => {
    expect(judge(previousContainer('held'), model, EXCLUSIVE_FLAG, POLICY)).toEqual({ verdict: 'live', reasons: ['held-lock'] });
  });

  it('keeps it when the coordinator could not be probed', () => {
    expect(judge(previousContainer('unknown'), model, EXCLUSIVE_FLAG, POLICY)).toEqual({ verdict: 'unknown', reasons: ['probe-failed'] });
  });
});
