// PID 1 of one writer namespace: keeps <writers> writers running, starts a replacement for each
// one the chaos process kills, and exits once the stop file exists and every writer has left.
// argv: <stateDir> <runDir> <nsIndex> <writers> <sessions> <holdMaxMs> <release>
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { start as startProcess } from '../harness/run.ts';

const [stateDir, runDir, nsIndex, writersArg, sessions, holdMaxMs, release] = process.argv.slice(2);
const writerScript = new URL('./writer.mjs', import.meta.url).pathname;
const stopFile = join(runDir, 'stop');
let running = 0;
let failures = 0;

function start(slot, generation) {
  const id = `n${nsIndex}w${slot}g${generation}`;
  const writer = startProcess([process.execPath, writerScript, stateDir, runDir, id, sessions, holdMaxMs, release], { stdout: 'ignore', stderr: 'inherit', timeoutMs: 0 });
  running++;
  void writer.done.then(({ code, signal }) => {
    running--;
    if (signal !== 'SIGKILL' && code !== 0) {
      failures++;
      process.stderr.write(`stress: writer ${id} failed (code ${code}, signal ${signal})\n`);
    }
    if (!existsSync(stopFile)) start(slot, generation + 1);
    else if (running === 0) process.exit(failures ? 1 : 0);
  });
}

for (let slot = 0; slot < Number(writersArg); slot++) start(slot, 0);
