// The Docker engine for the tests: install it from Debian when absent, start dockerd when
// none answers, and stop it at the end only if these tests started it (by its pid).
import { ROOT } from './paths.js';
import { must } from './sh.js';

export interface Engine {
  /** The pid of the dockerd these tests started; undefined when one was already running. */
  startedPid: number | undefined;
  log: string;
}

export function ensureEngine(log: string): Engine {
  process.stdout.write(must('sh', [`${ROOT}/scripts/docker/install-engine.sh`], { timeoutMs: 600_000 }).stdout);
  const printed = must('sh', [`${ROOT}/scripts/docker/start-engine.sh`, log]).stdout.trim();
  const startedPid = printed === '' ? undefined : Number(printed);
  console.log(startedPid === undefined ? 'engine: using the Docker engine already running' : `engine: started dockerd, pid ${startedPid}, log ${log}`);
  return { startedPid, log };
}

export function stopEngine(engine: Engine): void {
  if (engine.startedPid === undefined) return;
  must('sh', [`${ROOT}/scripts/docker/stop-engine.sh`, String(engine.startedPid)], { timeoutMs: 60_000 });
  console.log(`engine: stopped dockerd, pid ${engine.startedPid}`);
}
