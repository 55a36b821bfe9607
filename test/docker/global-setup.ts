// Once per `npm run test:docker`: engine up, images built; at the end everything this run
// made is removed (containers, volumes, images) and the dockerd it started is stopped.
// LOCKGUARD_E2E_KEEP=1 keeps the images and the engine, to look at them after a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Compose } from './compose.js';
import { ensureEngine, stopEngine, type Engine } from './engine.js';
import { buildImages, removeImages } from './images.js';
import { ensurePeerInstalled } from '../openclaw-peer/harness.js';

export default function setup(): () => void {
  const begun = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'lockguard-e2e-'));
  const engine = ensureEngine(join(workDir, 'dockerd.log'));
  try {
    ensurePeerInstalled((line) => console.log(`setup: ${line}`));
    buildImages(workDir);
    console.log(`setup: engine and images ready in ${((Date.now() - begun) / 1000).toFixed(1)} s; compose: ${Compose.detect().describe()}`);
  } catch (error) {
    cleanUp(engine, workDir);
    throw error;
  }
  return () => {
    cleanUp(engine, workDir);
    console.log(`docker e2e: total ${((Date.now() - begun) / 1000).toFixed(1)} s`);
  };
}

/** Every step runs even when an earlier one fails; the first failure is rethrown at the end. */
function cleanUp(engine: Engine, workDir: string): void {
  const failures: unknown[] = [];
  const attempt = (step: () => void) => {
    try {
      step();
    } catch (error) {
      failures.push(error);
      console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  attempt(() => Compose.detect().down());
  if (process.env.LOCKGUARD_E2E_KEEP === '1') {
    console.log(`cleanup: LOCKGUARD_E2E_KEEP=1: images kept; dockerd ${engine.startedPid ?? '(not ours)'} left running`);
  } else {
    attempt(removeImages);
    attempt(() => stopEngine(engine));
  }
  attempt(() => rmSync(workDir, { recursive: true, force: true }));
  if (failures.length > 0) throw failures[0];
}
