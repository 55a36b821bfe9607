// Only for `npm run test:docker`: the container scenarios on a real Docker engine.
// The normal `npm test` (vitest.config.ts at the root) never picks up *.e2e.ts files.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: new URL('../..', import.meta.url).pathname.replace(/\/$/, ''),
  test: {
    include: ['test/docker/**/*.e2e.ts'],
    globalSetup: ['test/docker/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // The global teardown removes images and stops dockerd: give it time.
    teardownTimeout: 120_000,
  },
});
