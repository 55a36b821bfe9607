import { describe, expect, it } from 'vitest';
import { parseBtime, parseStat } from '../../src/model/procfs.js';

const statLine = (comm: string) =>
  `4242 (${comm}) S 1 4240 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 987654 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`;

describe('parseStat', () => {
  it.each(['node', 'my proc', 'a) b (c', ') ) )', 'x(1)'])('survives the comm %j', (comm) => {
    expect(parseStat(statLine(comm))).toEqual({ pid: 4242, comm, state: 'S', ppid: 1, pgrp: 4240, threads: 3, starttime: 987654 });
  });

  it('rejects text that is not a stat line', () => {
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('garbage')).toBeUndefined();
    expect(parseStat('12 (x) S')).toBeUndefined();
  });

  it('reads this very process', async () => {
    const { readFileSync } = await import('node:fs');
    const facts = parseStat(readFileSync('/proc/self/stat', 'latin1'));
    expect(facts?.pid).toBe(process.pid);
    expect(facts?.threads).toBeGreaterThanOrEqual(1);
  });
});

it('parseBtime finds the btime line', () => {
  expect(parseBtime('cpu  1 2 3\nbtime 1795769310\nprocesses 5\n')).toBe(1795769310);
  expect(parseBtime('cpu 1\n')).toBeUndefined();
});
