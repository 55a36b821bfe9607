// --exec: sweep, then become the command (same PID, the command's binary), leaving no supervisor.
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryWithMissingLoader, runSupervising, tempDir } from './harness.js';

describe('--exec, lockguard as PID 1', () => {
  it('runs the command as PID 1 with its own binary, and no signal left ignored', async () => {
    const outcome = await runSupervising(['--exec', '--', 'sh', '-c', 'echo "pid=$$"; readlink /proc/$$/exe; grep SigIgn /proc/$$/status']);
    expect(outcome.code).toBe(0);
    // Node ignores SIGPIPE and SIGXFSZ; execve would pass that on unless lockguard caught them.
    expect(outcome.stdout).toBe(`pid=1\n${realpathSync('/bin/sh')}\nSigIgn:\t0000000000000000\n`);
  });

  it('passes the command\'s exit code on as its own', async () => {
    const outcome = await runSupervising(['--exec', '--', 'sh', '-c', 'exit 42']);
    expect(outcome.code).toBe(42);
  });

  it.each([
    ['a missing #! interpreter', '#!/nonexistent/interpreter\necho never\n', 127, /interpreter \(the #! line\)/],
    ['no #! line and no binary format', 'echo never\n', 126, /not a format this kernel can execute/],
  ])('refuses %s with one line and the shell\'s code, not a Node abort', async (_, content, code, message) => {
    const script = join(tempDir(), 'gateway');
    writeFileSync(script, content, { mode: 0o755 });
    const outcome = await runSupervising(['--exec', '--', script]);
    expect(outcome.code).toBe(code);
    expect(outcome.logs.filter((line) => line.level === 50).map((line) => line.msg)).toEqual([expect.stringMatching(message)]);
    expect(outcome.stderr).not.toMatch(/stack trace/i);
  });

  it('refuses a binary whose dynamic loader is missing with 127 and one line, not a Node abort', async () => {
    const outcome = await runSupervising(['--exec', '--', binaryWithMissingLoader(tempDir())]);
    expect(outcome.code).toBe(127);
    expect(outcome.logs.filter((line) => line.level === 50).map((line) => line.msg)).toEqual([expect.stringMatching(/dynamic loader was not found/)]);
    expect(outcome.stderr).not.toMatch(/stack trace/i);
  });

  it('on a Node without process.execve, fails with one line and exit 2 before sweeping', async () => {
    const outcome = await runSupervising(['--exec', '--', 'echo', 'never'], { nodeArgs: ['--import', 'data:text/javascript,delete process.execve'] });
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.logs.map((line) => line.msg)).toEqual([expect.stringMatching(/^--exec needs process\.execve/)]);
  });
});
