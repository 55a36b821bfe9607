// The held-open probe against the real kernel: a read lease tells a file held open for
// writing from one that isn't, and a writer racing the probe must not kill lockguard.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { probeWriteOpen } from '../../src/kernel/ffi.js';
import { run, startHelper } from '../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'lockguard-lease-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('sees a writer in another PID namespace and frees the lease at once', async () => {
  const path = join(dir, 'held.jsonl.lock');
  writeFileSync(path, '{"pid":7}');
  const holder = await startHelper(['sh', '-c', `exec 3>>'${path}'; echo ready; sleep 30`], { pid1: true });
  const fd = openSync(path, 'r');
  try {
    expect(probeWriteOpen(fd)).toBe('held-open');
    await holder.stop();
    // Its namespace went down with it (the whole group was killed), closing the holder's fd.
    await expect.poll(() => probeWriteOpen(fd), { timeout: 5_000 }).toBe('free');
    // The probe left no lease behind: a writer can open the file without waiting for a lease break.
    expect((await run(['timeout', '2', 'sh', '-c', `: >> '${path}'`], { pid1: false })).code).toBe(0);
  } finally {
    closeSync(fd);
  }
});

it('survives writers racing the probe (a broken lease signals SIGURG, not the deadly SIGIO)', async () => {
  const path = join(dir, 'raced.jsonl.lock');
  writeFileSync(path, '{"pid":7}');
  const fd = openSync(path, 'r');
  const writer = run(['sh', '-c', `i=0; while [ $i -lt 20000 ]; do : >> '${path}'; i=$((i+1)); done`], { pid1: false });
  let probes = 0;
  let running = true;
  void writer.then(() => (running = false));
  while (running) {
    for (let i = 0; i < 2_000; i++) probeWriteOpen(fd);
    probes += 2_000;
    await new Promise((resolve) => setImmediate(resolve));
  }
  closeSync(fd);
  expect(probes).toBeGreaterThan(0);
});
