// Once per `npm run test:openclaw`: the pinned peer is installed (from its own lockfile, scripts off)
// and lockguard is built; scratch volumes are removed at the end unless LOCKGUARD_OPENCLAW_KEEP=1.
import { assertBuilt } from '../helpers/run.js';
import { ensurePeerInstalled } from './harness.js';

export default function setup(): void {
  ensurePeerInstalled((line) => console.log(`setup: ${line}`));
  assertBuilt();
}
