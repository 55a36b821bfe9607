// Only for `npm run test:openclaw`: scenarios against the real openclaw@2026.9.6 (issue 10).
// The root config never picks up *.peer.ts files, and the peer's node_modules stays out of both.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: new URL('../..', import.meta.url).pathname.replace(/\/$/, ''),
  test: {
    include: ['test/openclaw-peer/**/*.peer.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/openclaw-peer/global-setup.ts'],
    // Gateways are heavy (a cold start is 6-9 s of one core): one scenario at a time.
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
