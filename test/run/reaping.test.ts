// lockguard reaps the orphans it adopts, and never steals its own child's exit status
// (which would leave it waiting for an exit event that never comes).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runSupervising } from './harness.js';

const ORPHANS = join(FIXTURES, 'orphans.sh');

describe('reaping, lockguard as PID 1', () => {
  it('reaps 100 orphaned grandchildren and passes the child\'s exit code on', async () => {
    const outcome = await runSupervising(['--', ORPHANS, '100']);
    expect(outcome.stdout).toBe('adopted=100\nzombies=0\n');
    expect(outcome.code).toBe(7);
  });
});

describe('no hangs, lockguard as PID 1', () => {
  it('survives a SIGCHLD storm of 1,000 short orphans and still sees its child exit', { timeout: 120_000 }, async () => {
    const outcome = await runSupervising(['--', 'sh', '-c', 'i=0; while [ $i -lt 1000 ]; do (/bin/true &); i=$((i + 1)); done; exit 5']);
    expect(outcome.code).toBe(5);
  });

  it.each([1, 2, 3, 4, 5])('bash -c "bash -c \'sleep 0.01 & kill -9 $BASHPID\'; sleep 0.0087" exits 0 (run %i)', async () => {
    const outcome = await runSupervising(['--', 'bash', '-c', "bash -c 'sleep 0.01 & kill -9 $BASHPID'; sleep 0.0087"]);
    expect(outcome.code).toBe(0);
  });

  it('bash -c "exit 127" exits 127, the child\'s own code', async () => {
    const outcome = await runSupervising(['--', 'bash', '-c', 'exit 127']);
    expect(outcome.code).toBe(127);
    expect(outcome.logs.filter((line) => line.level === 50)).toEqual([]);
  });
});

describe('not PID 1', () => {
  it('as a child subreaper, adopts the orphans and reaps them', async () => {
    const outcome = await runSupervising(['--', ORPHANS, '20'], { pid1: false });
    expect(outcome.stdout).toBe('adopted=20\nzombies=0\n');
    expect(outcome.code).toBe(7);
  });

  it('with --no-subreaper, the orphans go elsewhere', async () => {
    const outcome = await runSupervising(['--no-subreaper', '--', ORPHANS, '20'], { pid1: false });
    expect(outcome.stdout).toBe('adopted=0\nzombies=0\n');
    expect(outcome.code).toBe(7);
  });
});
