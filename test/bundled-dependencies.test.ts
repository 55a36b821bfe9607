// dist/ carries its dependencies but koffi (a native binary in its own package): zod and pino are
// bundled, so a runtime image needs no more than dist/ and node_modules/koffi. execa, the harnesses'
// process runner, never reaches the bundle. So koffi is the one dependency; the rest are dev
// dependencies, which the Dockerfile's `npm ci --omit=dev` leaves out of the image.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { assertBuilt, ENTRY, NODE, ROOT, run } from './helpers/run.js';
import { parseReport } from './helpers/sweep-report.js';

const dir = mkdtempSync(join(tmpdir(), 'lockguard-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs from dist/ with node_modules holding koffi alone, and holds no execa', async () => {
  assertBuilt();
  const dist = join(ROOT, 'dist');
  cpSync(dist, join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'node_modules', 'koffi'), join(dir, 'node_modules', 'koffi'));
  mkdirSync(join(dir, 'state'));

  const entry = join(dir, 'dist', ENTRY.slice(dist.length + 1));
  const usage = await run([NODE, entry, 'sweep', '--volume', 'sometimes'], { pid1: false });
  expect(usage.stderr).toBe('lockguard: --volume: expected auto, exclusive or shared, got "sometimes"\n');
  expect(usage.code).toBe(2);
  const swept = await run([NODE, entry, 'sweep', '--json', '--state-dir', join(dir, 'state')], { pid1: false });
  expect(swept.code, swept.stderr).toBe(0);
  expect(parseReport(swept.stdout, swept)).toMatchObject({ version: 1, summary: { locks: 0 } });

  for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) expect(readFileSync(join(dist, file), 'utf8')).not.toMatch(/execa/);
});

it('lists as dependencies exactly the packages the bundle leaves out (what dist/ loads at run time)', async () => {
  const { bundleOptions } = (await import(pathToFileURL(join(ROOT, 'scripts', 'build.mjs')).href)) as { bundleOptions: { external: string[] } };
  const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(Object.keys(dependencies).sort()).toEqual(bundleOptions.external.filter((name) => !name.startsWith('node:')).sort());
});
