// lockguard's command line: parse and hand over. Everything else lives in src/.
// dist/entrypoint.js (bootstrap.ts) loads this bundle after it started recording signals.
import { main } from './src/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
