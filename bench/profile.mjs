// Where lockguard's time goes, for the misses the bench reports. Not part of `npm run bench`.
//
//   node bench/profile.mjs sweep [--sessions 100000]   CPU profile of one dry-run sweep
//   node bench/profile.mjs startup                      CPU profile of `lockguard sweep` on an empty dir
//   node bench/profile.mjs imports                      time to import each dependency alone
//
// Profiles come from `node --cpu-prof`; self time is summed per function and per source.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSync } from '../harness/run.ts';
import { createStateDir } from './fixtures.mjs';
import { timedSync, timedSyncWithRss } from './lib/exec.mjs';
import { median } from './lib/stats.mjs';
import { nodeBinary } from './lib/tools.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const NODE = nodeBinary(REPO);
const ENTRY = join(REPO, 'dist', 'entrypoint.js');
const BUNDLE = join(REPO, 'dist', 'lockguard.js');
const TOP = 25;

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { sessions: { type: 'string', default: '100000' } } });
  const tmp = mkdtempSync(join(tmpdir(), 'lockguard-profile-'));
  try {
    const what = positionals[0] ?? 'sweep';
    if (what === 'sweep') await profileSweep(tmp, Number(values.sessions));
    else if (what === 'startup') profileStartup(tmp);
    else if (what === 'imports') importTimes(tmp);
    else throw new Error(`unknown: ${what}; expected sweep, startup or imports`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function profileSweep(tmp, sessions) {
  const fixture = await createStateDir(tmp, sessions, NODE);
  try {
    // One unprofiled run first so that the page cache is warm, as in the bench.
    runSync([NODE, ENTRY, 'sweep', '--state-dir', fixture.dir, '--dry-run', '--json'], { maxBuffer: 1 << 29 });
    const r = profiled(tmp, [ENTRY, 'sweep', '--state-dir', fixture.dir, '--dry-run', '--json'], { freshNamespace: true });
    console.log(`sweep of ${sessions} sessions: summary.durationMs = ${JSON.parse(r.stdout).summary.durationMs}`);
  } finally {
    await fixture.dispose();
  }
}

// Run mode cannot be profiled this way: it forwards V8's own SIGPROF sampling timer to the
// child. A sweep of an empty dir loads the same bundle and builds the same model.
function profileStartup(tmp) {
  const state = join(tmp, 'state');
  mkdirSync(state);
  startupPhases(state);
  profiled(tmp, [ENTRY, 'sweep', '--state-dir', state]);
}

// Each step adds one phase to the one before: Node alone, loading the bundle, building the
// model and sweeping an empty dir, then spawning and supervising /bin/true.
function startupPhases(state) {
  const steps = [
    ['node -e 0', ['-e', '0']],
    ['lockguard --help (load the bundle)', [ENTRY, '--help']],
    ['lockguard sweep, empty dir (+ model, presence, sweep)', [ENTRY, 'sweep', '--state-dir', state]],
    ['lockguard -- /bin/true (+ spawn, supervise, exit)', [ENTRY, '--state-dir', state, '--', '/bin/true']],
  ];
  const ms = new Map(steps.map(([name]) => [name, []]));
  for (let i = 0; i < 15; i++) for (const [name, args] of steps) ms.get(name).push(timedSync(NODE, args).wallMs);
  console.log('start-up phases, median of 15 interleaved runs:');
  let previous = 0;
  for (const [name, values] of ms) {
    const m = median(values);
    console.log(`  ${m.toFixed(1).padStart(7)} ms (+${(m - previous).toFixed(1)})  ${name}`);
    previous = m;
  }
  console.log();
}

// As in the bench, the sweep runs as PID 1 of a fresh PID namespace (container start).
function profiled(tmp, args, { freshNamespace = false } = {}) {
  const dir = join(tmp, 'prof');
  const node = [NODE, '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', ...args];
  const r = runSync(freshNamespace ? ['unshare', '--pid', '--fork', '--mount-proc', ...node] : node, { maxBuffer: 1 << 29 });
  const file = readdirSync(dir).map((f) => join(dir, f)).find((f) => f.endsWith('.cpuprofile'));
  report(JSON.parse(readFileSync(file, 'utf8')));
  return r;
}

function report(profile) {
  const self = selfTimes(profile);
  const totalMs = [...self.values()].reduce((a, b) => a + b.ms, 0);
  console.log(`profile: ${totalMs.toFixed(1)} ms sampled\n\nby source:`);
  printTop(groupBy(self, (e) => sourceOf(e.url, e.line)), totalMs);
  console.log('\nby function (self time):');
  printTop(groupBy(self, (e) => `${e.name || '(anonymous)'}  ${shortUrl(e.url)}:${e.line + 1}`), totalMs);
}

// Self time of a node = the time deltas of the samples that landed on it.
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, { name: n.callFrame.functionName, url: n.callFrame.url, line: n.callFrame.lineNumber, ms: 0 }]));
  profile.samples.forEach((id, i) => (byId.get(id).ms += (profile.timeDeltas[i] ?? 0) / 1000));
  return byId;
}

function groupBy(entries, keyOf) {
  const groups = new Map();
  for (const e of entries.values()) groups.set(keyOf(e), (groups.get(keyOf(e)) ?? 0) + e.ms);
  return groups;
}

function printTop(groups, totalMs) {
  const rows = [...groups].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  for (const [key, ms] of rows) console.log(`  ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${key}`);
}

function sourceOf(url, line) {
  if (!url) return '(vm: gc, program, idle, native)';
  if (url.startsWith('node:')) return 'node: internals';
  if (url === `file://${BUNDLE}`) return `bundle: ${packageOf(moduleAt(line))}`;
  return shortUrl(url);
}

// esbuild marks where each source module starts in the bundle with a "// path" line, so a
// bundle line maps back to its package (node_modules/<pkg>) or source folder (src/<dir>).
let bundleModules;
function moduleAt(line) {
  bundleModules ??= readFileSync(BUNDLE, 'utf8')
    .split('\n')
    .flatMap((text, i) => (/^\/\/ (node_modules|src|entrypoint)\S*$/.test(text) ? [[i, text.slice(3)]] : []));
  let found = '(bundle prelude)';
  for (const [start, path] of bundleModules) {
    if (start > line) break;
    found = path;
  }
  return found;
}

function packageOf(path) {
  const parts = path.split('/');
  if (parts[0] !== 'node_modules') return parts.length > 2 ? parts.slice(0, 2).join('/') : path;
  return parts[1].startsWith('@') ? parts.slice(1, 3).join('/') : parts[1];
}

/** Bytes of the bundle per package or source folder. */
function bundleSizes() {
  const sizes = new Map();
  readFileSync(BUNDLE, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const key = packageOf(moduleAt(i));
      sizes.set(key, (sizes.get(key) ?? 0) + text.length + 1);
    });
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

function shortUrl(url) {
  return url.replace(`file://${REPO}/`, '').replace(/^node:/, 'node:');
}

// Each dependency imported alone in a fresh Node, against importing nothing: what a lazy
// import (or dropping it) would save in start-up time and peak RSS. The bundle itself is
// measured the same way with --help, which loads it all and does nothing else.
function importTimes(tmp) {
  const cases = [
    ['(nothing)', ['--input-type=module', '-e', '']],
    ['pino', ['--input-type=module', '-e', "await import('pino')"]],
    ['koffi', ['--input-type=module', '-e', "(await import('node:module')).createRequire(import.meta.url)('koffi')"]],
    ['zod/mini, whole (dist/ bundles only the schemas it uses)', ['--input-type=module', '-e', "await import('zod/mini')"]],
    ['execa (the harnesses only; never in dist/)', ['--input-type=module', '-e', "await import('execa')"]],
    ['dist/entrypoint.js --help', [ENTRY, '--help']],
  ];
  const runs = 7;
  const samples = new Map(cases.map(([name]) => [name, { ms: [], kb: [] }]));
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of cases) {
      const r = timedSyncWithRss('/usr/bin/time', tmp, NODE, args, { cwd: REPO });
      samples.get(name).ms.push(r.wallMs);
      samples.get(name).kb.push(r.rssKb);
    }
  }
  const base = samples.get('(nothing)');
  console.log(`median of ${runs} fresh processes each, interleaved (time includes GNU time's own fork):`);
  for (const [name, { ms, kb }] of samples) {
    const dMs = median(ms) - median(base.ms);
    const dKb = median(kb) - median(base.kb);
    console.log(`  ${median(ms).toFixed(1).padStart(7)} ms (+${dMs.toFixed(1)})  ${(median(kb) / 1024).toFixed(1).padStart(6)} MiB peak RSS (+${(dKb / 1024).toFixed(1)})  ${name}`);
  }
  console.log(`\nbundle ${BUNDLE}: ${(statSync(BUNDLE).size / 1024).toFixed(0)} KiB, by package:`);
  for (const [name, bytes] of bundleSizes().slice(0, 15)) console.log(`  ${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${name}`);
}

main().catch((error) => {
  console.error(error.stack);
  process.exitCode = 1;
});
