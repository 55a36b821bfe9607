// Fixture times relative to this machine's boot. lockguard judges a lock dated before the boot as a
// previous boot's (previous-boot), so a fixture about anything else dates its locks after the boot,
// also on a CI VM that booted a minute ago. To run the suite as on a machine up for 60 s:
//   unshare --time --boottime $((60 - $(cut -d. -f1 /proc/uptime))) --fork npm test
import { readFileSync } from 'node:fs';

/** Kept between a fixture's time and the boot: several times the verdict's 250 ms clock slack. */
const BOOT_MARGIN_MS = 1_000;

/**
 * Age of a lock that must predate a PID namespace the test creates after writing it: far beyond the
 * verdict's 250 ms clock slack and bornAt's 10 ms ticks, yet after the boot on a machine up for seconds.
 */
export const PREDATES_NAMESPACE_MS = 5_000;
/** Age of a malformed lock past the default 30 s grace (and within a --grace of minutes). */
export const PAST_GRACE_MS = 35_000;

/** /proc/uptime in ms: in a time namespace (unshare --time --boottime), the namespace's view, as lockguard's. */
export function uptimeMs(): number {
  return Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;
}

/** This boot as epoch ms: now minus the uptime, as lockguard's model computes it. */
export function bootMs(): number {
  return Date.now() - uptimeMs();
}

/** Epoch ms `ageMs` ago. Throws if that is not after the boot: such a lock would be judged previous-boot. */
export function ago(ageMs: number): number {
  const uptime = uptimeMs();
  if (ageMs + BOOT_MARGIN_MS > uptime) {
    const needed = Math.ceil((ageMs + BOOT_MARGIN_MS) / 1000);
    throw new Error(`a fixture dated ${ageMs} ms ago would predate this boot (up ${(uptime / 1000).toFixed(1)} s): this test needs the machine up for ${needed} s`);
  }
  return Date.now() - ageMs;
}

/** Epoch ms `ms` before the boot: for the tests about previous-boot only. */
export function beforeBoot(ms: number): number {
  return bootMs() - ms;
}
