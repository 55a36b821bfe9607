// Fixture times relative to this machine's boot. lockguard judges a lock dated before the boot as a
// previous boot's (previous-boot), so a fixture about anything else dates its locks after the boot,
// also on a CI VM that booted seconds ago. To run the suite as on a machine up for 20 s:
//   unshare --time --boottime $((20 - $(cut -d. -f1 /proc/uptime))) --fork npm test
import { readFileSync } from 'node:fs';

/** Kept between a fixture's time and the boot: several times the verdict's 250 ms clock slack. */
const BOOT_MARGIN_MS = 1_000;

/**
 * Age of a lock that must predate a PID namespace the test creates after writing it: far beyond the
 * verdict's 250 ms clock slack and bornAt's 10 ms ticks, yet after the boot on a machine up for seconds.
 */
export const PREDATES_NAMESPACE_MS = 5_000;
/** The default --grace: a malformed lock younger than this is kept. */
export const DEFAULT_GRACE_MS = 30_000;
/** Age of a malformed lock past the default grace: only where this boot is that old (canDate). */
export const PAST_GRACE_MS = 35_000;
/**
 * A --grace for the tests of locks past the grace, so that such a lock need only be PAST_SHORT_GRACE_MS
 * old: after the boot on a machine up for seconds. Long enough that a lock the test has just written is
 * still judged within it, on a loaded machine too.
 */
export const SHORT_GRACE = '5s';
/** Age of a malformed lock past SHORT_GRACE. */
export const PAST_SHORT_GRACE_MS = 10_000;

/** /proc/uptime in ms: in a time namespace (unshare --time --boottime), the namespace's view, as lockguard's. */
export function uptimeMs(): number {
  return Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;
}

/** This boot as epoch ms: now minus the uptime, as lockguard's model computes it. */
export function bootMs(): number {
  return Date.now() - uptimeMs();
}

/** Whether this boot is old enough for ago(ageMs). */
export function canDate(ageMs: number): boolean {
  return ageMs + BOOT_MARGIN_MS <= uptimeMs();
}

/** Epoch ms `ageMs` ago. Throws if that is not after the boot: such a lock would be judged previous-boot. */
export function ago(ageMs: number): number {
  if (!canDate(ageMs)) {
    const needed = Math.ceil((ageMs + BOOT_MARGIN_MS) / 1000);
    throw new Error(`a fixture dated ${ageMs} ms ago would predate this boot (up ${(uptimeMs() / 1000).toFixed(1)} s): this test needs the machine up for ${needed} s`);
  }
  return Date.now() - ageMs;
}

/** Epoch ms `ms` before the boot: for the tests about previous-boot only. */
export function beforeBoot(ms: number): number {
  return bootMs() - ms;
}
