// Bundles entrypoint.ts into one ESM file so that start-up reads a single module.
// koffi stays external: it loads a native binary from its own package directory.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const outfile = new URL('../dist/entrypoint.js', import.meta.url).pathname;

/**
 * Node built-ins through require(), not ESM import. An ESM import of a built-in is hoisted
 * to the top of the bundle, so every path paid for the built-ins of code it never runs
 * (child_process in run mode, for one), and building the ESM namespace
 * reads every export, which loads lazy ones such as fs.promises (and with it readline).
 * require() hands back the same module object, loaded when the code that needs it first runs.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.namespace === 'builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

await build({
  entryPoints: [new URL('../entrypoint.ts', import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['koffi'],
  plugins: [builtinsByRequire],
  define: { LOCKGUARD_VERSION: JSON.stringify(version) },
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __lgCreateRequire } from 'node:module';\nconst require = __lgCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
