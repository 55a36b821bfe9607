// Which lockguard modes work in this checkout. Each mode is probed with a tiny real run;
// a mode that does not work yet is reported as missing (with the reason) in every row
// that needs it, and the baselines still run.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBLISHED_REPORT } from '../../harness/report-schema.ts';
import { runSync } from '../../harness/run.ts';
import { progress } from './progress.mjs';
import { tail } from './exec.mjs';

export function prepareLockguard(repo, node) {
  const built = ensureBuilt(repo, node, join(repo, 'dist', 'entrypoint.js'));
  if (built.missing) return { entry: undefined, sweep: built, run: built, exec: built, dispose() {} };
  const { entry, sha256, dispose } = snapshot(repo);
  const scratch = mkdtempSync(join(tmpdir(), 'lockguard-bench-probe-'));
  try {
    return { entry, sha256, dispose, sweep: probeSweep(node, entry, scratch), run: probeRun(node, entry, scratch, []), exec: probeRun(node, entry, scratch, ['--exec']) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// The bench runs a private copy of dist/: a rebuild of dist/ during the run (tests do
// that) must not hand half of the runs a half-written file. It stays inside the repo
// (bench/tmp/, ignored by git) so that `require('koffi')` still resolves. Its compile cache
// (dist/compile-cache) starts empty and is filled by the probes below, as an image warms it.
function snapshot(repo) {
  const dir = join(repo, 'bench', 'tmp');
  const copy = join(dir, `dist-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  cpSync(join(repo, 'dist'), copy, { recursive: true, filter: (source) => !source.endsWith('/compile-cache') });
  const entry = join(copy, 'entrypoint.js');
  const hash = createHash('sha256');
  for (const file of readdirSync(copy).sort()) hash.update(file).update(readFileSync(join(copy, file)));
  const dispose = () => {
    rmSync(copy, { recursive: true, force: true });
    if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  };
  return { entry, sha256: hash.digest('hex'), dispose };
}

// A clean clone builds dist/ in `npm ci` (prepare); build here only when it is absent.
function ensureBuilt(repo, node, entry) {
  if (!existsSync(entry)) {
    progress('dist/entrypoint.js is missing; building it');
    const r = runSync([node, join(repo, 'scripts', 'build.mjs')], { timeoutMs: 120_000 });
    if (r.code !== 0) return { missing: `build failed: ${tail(r.stderr)}` };
  }
  const help = runSync([node, entry, '--help'], { timeoutMs: 20_000 });
  return help.code === 0 ? { ok: true } : { missing: `--help exited ${help.code ?? help.signal}: ${tail(help.stderr)}` };
}

function probeSweep(node, entry, scratch) {
  const state = join(scratch, 'sweep');
  const sessions = join(state, 'agents', 'probe', 'sessions');
  mkdirSync(sessions, { recursive: true });
  writeFileSync(join(sessions, 's.jsonl'), '{}\n');
  writeFileSync(join(sessions, 's.jsonl.lock'), JSON.stringify({ pid: 999_999_999, createdAt: new Date().toISOString() }));
  const r = runSync([node, entry, 'sweep', '--state-dir', state, '--dry-run', '--json'], { timeoutMs: 20_000 });
  if (r.code !== 0 && r.code !== 1) return { missing: `sweep exited ${r.code ?? r.signal}: ${tail(r.stderr)}` };
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    return { missing: `sweep --json printed no JSON: ${tail(r.stdout || r.stderr)}` };
  }
  const checked = PUBLISHED_REPORT.safeParse(report);
  return checked.success ? { ok: true } : { missing: `sweep --json report is off schema/report.v1.json: ${tail(JSON.stringify(checked.error.issues.slice(0, 3)))}` };
}

// Run mode must pass the child's exit code through; that is the contract the bench relies on.
function probeRun(node, entry, scratch, extra) {
  const state = join(scratch, `run${extra.join('')}`);
  mkdirSync(state, { recursive: true });
  const r = runSync([node, entry, '--state-dir', state, ...extra, '--', '/bin/sh', '-c', 'exit 3'], { timeoutMs: 20_000 });
  const mode = extra.length ? `${extra.join(' ')} mode` : 'run mode';
  return r.code === 3 ? { ok: true } : { missing: `${mode} not working (exit ${r.code ?? r.signal}, expected 3): ${tail(r.stderr)}` };
}
