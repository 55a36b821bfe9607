// The program Node starts: dist/entrypoint.js, the `lockguard` bin (built as CommonJS by
// scripts/build.mjs). It records signals from its first statement, so that a `docker stop`
// during start-up is not lost; turns on Node's compile cache before the bundle is compiled;
// and hands over to the bundle (dist/lockguard.js, built from entrypoint.ts).
import { recordEarlySignals } from './src/run/early-signals.js';
import { lstatSync, mkdirSync } from 'node:fs';
import { constants, enableCompileCache as enableNodeCompileCache, flushCompileCache } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

recordEarlySignals();
enableCompileCache();
require('./lockguard.js');
// Node writes the cache only when flushed or at exit, and PID 1 is often ended by SIGKILL: write
// it now. The bundle is compiled, and a later flush would add nothing (Node caches what V8
// compiled with the script, not the functions compiled later when first called).
flushCompileCache?.();

/**
 * The first cache directory that Node accepts. It is never NODE_COMPILE_CACHE, which the
 * gateway would inherit: this cache is lockguard's alone. Where none works (a read-only
 * image without a warm cache, say), lockguard starts as fast as it would without one.
 */
function enableCompileCache(): void {
  if (typeof enableNodeCompileCache !== 'function') return; // Node < 22.8
  for (const directory of cacheDirectories()) {
    const { status } = enableNodeCompileCache(directory);
    if (status !== constants.compileCacheStatus.FAILED) return;
  }
}

/**
 * Next to the bundle first: a Docker image warms it at build time (Node keys the cache by its
 * version and the user's uid, so a read-only warm copy still serves that user). Then the user's
 * own cache directory, then a private directory in the temp dir.
 */
function* cacheDirectories(): Generator<string> {
  yield join(__dirname, 'compile-cache');
  const xdg = process.env.XDG_CACHE_HOME;
  yield join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'lockguard');
  const private_ = join(tmpdir(), `lockguard-compile-cache-${process.getuid?.() ?? 'user'}`);
  if (isOwnPrivateDirectory(private_)) yield private_;
}

/** Anyone can create a directory in /tmp, and a planted cache would be code run as this user. */
function isOwnPrivateDirectory(path: string): boolean {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch {
    // it exists already, or cannot be made: either way, lstat decides
  }
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
