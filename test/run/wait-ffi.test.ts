// The koffi waitid(WNOWAIT) binding reads si_pid from the right offset of siginfo_t, and
// peeking leaves the zombie for reapPid.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FIXTURES, NODE } from './harness.js';

it('peekExited sees a zombie child without reaping it; reapPid then reaps it', () => {
  const report = JSON.parse(execFileSync(NODE, [join(FIXTURES, 'peek.mjs')], { encoding: 'utf8' }));
  expect(report).toEqual({
    running: { state: expect.stringMatching(/^[RS]$/), peek: false },
    zombie: { peek: true, peekAgain: true, stateAfterPeeks: 'Z' },
    reaped: { state: 'exited', status: 0 },
    stateAfterReap: 'gone',
    reapAgain: { state: 'gone' },
  });
});
