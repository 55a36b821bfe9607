// The oracle: reads the per-session journals and the chaos kill log, and nothing of lockguard's.
// A violation is (a) an "enter" while another hold on that session is outstanding and its holder
// was not yet killed, i.e. two live holders, or (b) a "lost" record: a writer found its lock path
// deleted or replaced while it was alive and holding. Also reports the most holders seen at once.
//
//   node stress/oracle.mjs <runDir>      → JSON figures
//   node stress/oracle.mjs --self-check  → proves on hand-made journals that it counts violations
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function readKills(runDir) {
  const kills = new Map();
  let text = '';
  try {
    text = readFileSync(join(runDir, 'kills.log'), 'utf8');
  } catch {}
  for (const line of text.split('\n')) {
    const [what, id, t] = line.split(' ');
    if (what === 'kill') kills.set(id, BigInt(t));
    if (what === 'unkill') kills.delete(id);
  }
  return kills;
}

export function checkJournals(runDir) {
  const kills = readKills(runDir);
  const result = { sessions: 0, acquisitions: 0, releases: 0, violations: 0, overlaps: 0, lost: 0, anomalies: 0, maxHolders: 0, killedMidHold: 0, unterminated: 0, details: [] };
  const dir = join(runDir, 'journals');
  let names = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.log'));
  } catch {}
  for (const name of names) {
    result.sessions++;
    const outstanding = new Map(); // holdId → { writer, t }
    const retired = new Set();
    let maxHere = 0;
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      const [what, holdId, , tText] = line.split(' ');
      const writer = holdId.split('#')[0];
      const t = BigInt(tText);
      if (what === 'enter') {
        result.acquisitions++;
        let live = 0;
        for (const [other, hold] of outstanding) {
          const killedAt = kills.get(hold.writer);
          if (killedAt !== undefined && killedAt <= t) {
            // Its holder was SIGKILLed before this enter: it never leaves, and that is fine.
            outstanding.delete(other);
            retired.add(other);
            result.killedMidHold++;
          } else {
            live++;
            result.violations++;
            result.overlaps++;
            result.details.push(`${name}: ${holdId} entered while ${other} (alive) held the lock`);
          }
        }
        maxHere = Math.max(maxHere, live + 1);
        outstanding.set(holdId, { writer, t });
      } else if (what === 'leave') {
        result.releases++;
        if (!outstanding.delete(holdId)) {
          result.anomalies++;
          result.details.push(`${name}: ${holdId} left a hold it did not have${retired.has(holdId) ? ' (its holder was counted as killed)' : ''}`);
        }
      } else if (what === 'lost') {
        result.violations++;
        result.lost++;
        result.details.push(`${name}: ${holdId} found its lock deleted or replaced while holding it`);
      } else {
        result.anomalies++;
        result.details.push(`${name}: unreadable record ${JSON.stringify(line)}`);
      }
    }
    for (const [, hold] of outstanding) {
      if (kills.has(hold.writer)) result.killedMidHold++;
      else result.unterminated++;
    }
    result.maxHolders = Math.max(result.maxHolders, maxHere);
  }
  result.details = result.details.slice(0, 50);
  return result;
}

/** Hand-made journals with one real violation and one legitimate takeover after a kill: must count exactly 1. */
export function selfCheck() {
  const runDir = mkdtempSync(join(tmpdir(), 'lockguard-oracle-'));
  try {
    mkdirSync(join(runDir, 'journals'));
    writeFileSync(join(runDir, 'kills.log'), 'kill n0w0g0 150\n');
    // s0: n0w0g0 is killed at t=150 mid-hold; n1w0g0 enters at 200: legitimate.
    writeFileSync(join(runDir, 'journals', 's0.log'), ['enter n0w0g0#1 11 100', 'enter n1w0g0#1 12 200', 'leave n1w0g0#1 12 210', ''].join('\n'));
    // s1: n2w0g0 enters while n2w1g0, alive and never killed, holds: a violation (2 holders).
    writeFileSync(join(runDir, 'journals', 's1.log'), ['enter n2w1g0#1 21 100', 'enter n2w0g0#1 22 120', 'leave n2w1g0#1 21 130', 'leave n2w0g0#1 22 140', ''].join('\n'));
    return checkJournals(runDir);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv[2];
  const result = arg === '--self-check' ? selfCheck() : checkJournals(arg);
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  process.exitCode = arg === '--self-check' ? (result.violations === 1 && result.maxHolders === 2 ? 0 : 1) : result.violations === 0 ? 0 : 1;
}
