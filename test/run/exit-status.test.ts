// Run mode passes the command's end on as its own exit code, and says clearly when the
// command could not start at all.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryWithMissingLoader, runSupervising, tempDir } from './harness.js';

describe('exit status, lockguard as PID 1', () => {
  it.each([0, 1, 2, 32, 64, 126, 127, 254, 255])('sh -c "exit %i" gives %i', async (code) => {
    const outcome = await runSupervising(['--', 'sh', '-c', `exit ${code}`]);
    expect(outcome.code).toBe(code);
  });

  it.each([
    ['TERM', 143],
    ['HUP', 129],
    ['QUIT', 131],
    ['KILL', 137],
  ])('a child that kills itself with SIG%s gives %i', async (signal, code) => {
    const outcome = await runSupervising(['--', 'sh', '-c', `kill -${signal} $$`]);
    expect(outcome.code).toBe(code);
  });

  it('writes nothing of its own to stdout: `-- echo hi` gives exactly "hi\\n"', async () => {
    const outcome = await runSupervising(['--', 'echo', 'hi']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe('hi\n');
    expect(outcome.logs.some((line) => line.msg === 'the command exited')).toBe(true);
  });
});

describe('commands that cannot start', () => {
  it('a command missing from PATH gives 127 and one line naming it', async () => {
    const outcome = await runSupervising(['--', 'no-such-command-lockguard']);
    expect(outcome.code).toBe(127);
    const errors = outcome.logs.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/command not found: "no-such-command-lockguard" is not on PATH/);
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
  });

  it('a file without execute permission gives 126 and says how to fix it', async () => {
    const script = join(tempDir(), 'gateway.sh');
    writeFileSync(script, '#!/bin/sh\necho never\n', { mode: 0o644 });
    const outcome = await runSupervising(['--', script]);
    expect(outcome.code).toBe(126);
    expect(outcome.stdout).toBe('');
    expect(outcome.logs.filter((line) => line.level === 50).map((line) => line.msg)).toEqual([expect.stringMatching(/not executable\. Run "chmod \+x /)]);
  });

  it('a directory gives 126', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'app'));
    const outcome = await runSupervising(['--', join(dir, 'app')]);
    expect(outcome.code).toBe(126);
  });

  it('a script whose #! interpreter is missing gives 127 and names the #! line', async () => {
    const script = join(tempDir(), 'gateway.sh');
    writeFileSync(script, '#!/nonexistent/interpreter\necho never\n');
    chmodSync(script, 0o755);
    const outcome = await runSupervising(['--', script]);
    expect(outcome.code).toBe(127);
    expect(outcome.logs.filter((line) => line.level === 50).map((line) => line.msg)).toEqual([expect.stringMatching(/interpreter \(the #! line\)/)]);
  });

  it('a binary whose dynamic loader is missing gives 127', async () => {
    const outcome = await runSupervising(['--', binaryWithMissingLoader(tempDir())]);
    expect(outcome.code).toBe(127);
    expect(outcome.logs.filter((line) => line.level === 50).map((line) => line.msg)).toEqual([expect.stringMatching(/dynamic loader was not found/)]);
  });

  it('--strict: a sweep with errors gives 1 and the command never starts', async () => {
    const dir = tempDir();
    const notADir = join(dir, 'state');
    writeFileSync(notADir, '');
    const marker = join(dir, 'ran');
    const outcome = await runSupervising(['--strict', '--state-dir', notADir, '--', 'touch', marker]);
    expect(outcome.code).toBe(1);
    expect(existsSync(marker)).toBe(false);
    expect(outcome.logs.at(-1)!.msg).toMatch(/^--strict: the sweep had 1 error/);
  });

  it('without --strict, the same sweep errors do not stop the command', async () => {
    const dir = tempDir();
    const notADir = join(dir, 'state');
    writeFileSync(notADir, '');
    const marker = join(dir, 'ran');
    const outcome = await runSupervising(['--state-dir', notADir, '--', 'touch', marker]);
    expect(outcome.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });
});
