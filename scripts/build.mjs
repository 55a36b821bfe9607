// Bundles lockguard into dist/ as CommonJS, the fastest form for Node to load:
//
//   dist/entrypoint.js     the bin (bootstrap.ts): records signals, turns on the compile cache
//   dist/lockguard.js      everything else (entrypoint.ts and src/), one file
//   dist/early-signals.js  the signals recorded before lockguard.js is loaded, shared by both
//   dist/package.json      {"type": "commonjs"}, as the package itself is ESM
//
// koffi stays external: it loads a native binary from its own package directory.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const EARLY_SIGNALS = join(root, 'src', 'run', 'early-signals.ts');

/**
 * pino without its transport machinery. pino requires lib/transport.js at the top, and with it
 * thread-stream and worker_threads: about 3 ms of CPU and 1 MB of RSS on every run-mode start,
 * for transports lockguard never uses (it logs synchronously to fd 2). Asking for one throws;
 * anything that would still bring thread-stream or worker_threads into the bundle fails the build.
 */
const pinoWithoutTransports = {
  name: 'pino-without-transports',
  setup(b) {
    const fromPino = (args) => /[\\/]node_modules[\\/]pino[\\/]/.test(args.importer);
    b.onResolve({ filter: /^\.\/(lib\/)?transport$/ }, (args) => (fromPino(args) ? { path: 'transport', namespace: 'pino-stub' } : undefined));
    // pino asks only whether it runs in the main thread, to flush async destinations at exit.
    // lockguard runs as a program, never in a worker, and its destination is synchronous.
    b.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) => (fromPino(args) ? { path: 'worker_threads', namespace: 'pino-stub' } : undefined));
    b.onLoad({ filter: /^transport$/, namespace: 'pino-stub' }, () => ({
      contents: "module.exports = () => { throw new Error('lockguard bundles pino without transports (scripts/build.mjs): log to a destination instead'); };",
      loader: 'js',
    }));
    b.onLoad({ filter: /^worker_threads$/, namespace: 'pino-stub' }, () => ({ contents: 'module.exports = { isMainThread: true };', loader: 'js' }));
    b.onResolve({ filter: /^(thread-stream|(node:)?worker_threads)$/ }, (args) => ({
      errors: [{ text: `${args.path} (from ${args.importer}) would load worker threads at start-up; see pinoWithoutTransports in scripts/build.mjs` }],
    }));
  },
};

/**
 * node:assert, which sonic-boom (pino's destination) needs for one check, loads streams, net and
 * its diff machinery: up to 3 ms in a fresh process, about 0.25 MB in run mode (where spawning
 * loads the streams anyway). This loads the real assert only when that check fails: same error.
 */
const assertOnFailure = {
  name: 'assert-on-failure',
  setup(b) {
    b.onResolve({ filter: /^assert$/ }, (args) => (/[\\/]node_modules[\\/]sonic-boom[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'assert-on-failure' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'assert-on-failure' }, () => ({
      contents: "module.exports = (value, message) => { if (!value) require('node:assert')(value, message); };",
      loader: 'js',
    }));
  },
};

/** Every import of early-signals outside its own file is the shared dist/early-signals.js. */
const sharedEarlySignals = {
  name: 'shared-early-signals',
  setup(b) {
    b.onResolve({ filter: /early-signals\.js$/ }, (args) => {
      if (args.kind === 'entry-point' || resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) !== EARLY_SIGNALS) return undefined;
      return { path: './early-signals.js', external: true };
    });
    // The bootstrap hands over to the bundle at run time.
    b.onResolve({ filter: /^\.\/lockguard\.js$/ }, () => ({ path: './lockguard.js', external: true }));
  },
};

/** How every lockguard bundle is built; the tests build small ones with it to check the rules above. */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  // Built-ins and koffi through require(): in CommonJS output a named import of a built-in is a
  // plain property read, while an ESM import builds a namespace, which loads every lazy export.
  external: ['koffi', 'node:*'],
  plugins: [pinoWithoutTransports, assertOnFailure],
  // The sources use import.meta.url only for createRequire(), which takes a path as well.
  define: { LOCKGUARD_VERSION: JSON.stringify(version), 'import.meta.url': '__filename' },
  legalComments: 'none',
  logLevel: 'warning',
};

export async function buildDist() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist);
  writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
  await build({
    ...bundleOptions,
    entryPoints: {
      entrypoint: join(root, 'bootstrap.ts'),
      lockguard: join(root, 'entrypoint.ts'),
      'early-signals': EARLY_SIGNALS,
    },
    outdir: dist,
    plugins: [sharedEarlySignals, ...bundleOptions.plugins],
  });
  const bin = join(dist, 'entrypoint.js');
  writeFileSync(bin, `#!/usr/bin/env node\n${readFileSync(bin, 'utf8')}`);
  chmodSync(bin, 0o755);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildDist();
