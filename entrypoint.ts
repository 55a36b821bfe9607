// lockguard's command line: parse and hand over. Everything else lives in src/.
// Signals are recorded before the rest loads (dynamic import), so none is lost at start-up.
import { recordEarlySignals } from './src/run/early-signals.js';

recordEarlySignals();
const { main } = await import('./src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
