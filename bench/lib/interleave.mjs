// The measuring discipline of the whole bench: subjects run A B A B … in one process run,
// warm-up rounds are thrown away (a subject with `warmup: false` sits them out), and a failed
// run is recorded with its reason, never dropped. A subject that fails twice stops (a broken one must not eat the time budget);
// with no good run at all it is reported as missing.
import { progress } from './progress.mjs';

/**
 * @param subjects [{ name, run: async () => sample, missing?: string, warmup?: false }]
 * @returns [{ name, samples: sample[], missing?: string }] in the same order
 */
export async function interleave(label, subjects, { warmup, runs }) {
  const results = subjects.map((s) => ({ name: s.name, samples: [], failures: [], missing: s.missing }));
  for (let round = -warmup; round < runs; round++) {
    const tag = round < 0 ? `warm-up ${round + warmup + 1}/${warmup}` : `run ${round + 1}/${runs}`;
    progress(`${label}: ${tag}`);
    for (const [i, subject] of subjects.entries()) {
      if (round >= 0 || subject.warmup !== false) await runOnce(subject, results[i], round >= 0);
    }
  }
  return results;
}

const MAX_FAILURES = 2;

async function runOnce(subject, result, keep) {
  if (result.missing || result.failures.length >= MAX_FAILURES) return;
  try {
    const sample = await subject.run();
    if (keep) result.samples.push(sample);
  } catch (error) {
    result.failures.push(oneLine(error));
    progress(`  ${subject.name} run failed: ${result.failures.at(-1)}`);
  }
}

function oneLine(error) {
  return String(error?.message ?? error).split('\n').filter(Boolean).slice(0, 3).join(' | ').slice(0, 300);
}
