// npm test must run on the Node 24 the project brings (node@24 in devDependencies), not the machine's.
import { expect, it } from 'vitest';

it('runs on Node 24 or newer from node_modules', () => {
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  expect(process.execPath).toMatch(/node_modules\/node\//);
});
