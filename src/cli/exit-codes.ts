// lockguard's exit codes, in one place. Run mode passes the command's own code on; the rest are ours.
import { signalNumber } from '../run/signals.js';

export const EXIT = {
  ok: 0,
  /** sweep and inspect: some entries could not be handled; run mode: --strict refused a sweep with errors. */
  someFailed: 1,
  usage: 2,
} as const;

/** The shell's convention for a process ended by signal N: 128+N. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + signalNumber(signal);
}
