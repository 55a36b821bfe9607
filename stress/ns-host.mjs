// PID 1 of one writer namespace: keeps <writers> writers running, starts a replacement for each
// one the chaos process kills, and exits once the stop file exists and every writer has left.
// argv: <stateDir> <runDir> <nsIndex> <writers> <sessions> <holdMaxMs> <release>
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const [stateDir, runDir, nsIndex, writersArg, sessions, holdMaxMs, release] = process.argv.slice(2);
const writerScript = new URL('./writer.mjs', import.meta.url).pathname;
const stopFile = join(runDir, 'stop');
let running = 0;
let failures = 0;

function start(slot, generation) {
  const id = `n${nsIndex}w${slot}g${generation}`;
  const child = spawn(process.execPath, [writerScript, stateDir, runDir, id, sessions, holdMaxMs, release], { stdio: ['ignore', 'ignore', 'inherit'] });
  running++;
  child.on('exit', (code, signal) => {
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
