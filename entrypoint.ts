// lockguard's command line: parse and hand over. Everything else lives in src/.
import { main } from './src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
