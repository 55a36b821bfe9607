// --rewrite SRC:DST, dumb-init's -r: a forwarded signal goes on as another one, or not at
// all (DST 0). For servers whose graceful stop is not TERM (QUIT for nginx), behind
// orchestrators that only ever send TERM.
import { constants } from 'node:os';
import { FORWARDED, notForwardedBecause } from './signals.js';

/** What each received signal is forwarded as; a signal not in the map goes on unchanged. */
export type Rewrites = ReadonlyMap<NodeJS.Signals, NodeJS.Signals | 'drop'>;

export type RewriteRule = { ok: true; from: NodeJS.Signals; to: NodeJS.Signals | 'drop' } | { ok: false; problem?: string };

// Standard signals only, as dumb-init: real-time ones have no names to give.
const HIGHEST = 31;

/**
 * "TERM:QUIT", "15:3", "SIGINT:0" → a rule. Without `problem`, the text is not SRC:DST at all.
 * A SRC that lockguard never forwards is refused: the rule would never apply.
 */
export function parseRewriteRule(text: string): RewriteRule {
  const parts = text.split(':');
  if (parts.length !== 2 || parts.some((part) => part.trim() === '')) return { ok: false };
  const [src, dst] = parts.map((part) => part.trim()) as [string, string];
  const from = signalNamed(src);
  if (from === undefined) return { ok: false, problem: unknownSignal(src, text) };
  if (!FORWARDED.some((signal) => signal.name === from)) {
    const forwarded = FORWARDED.map((signal) => signal.name.slice(3)).join(', ');
    return { ok: false, problem: `${from} is never forwarded (${notForwardedBecause(from)}), so "${text}" would never apply. Rewrite a forwarded signal: ${forwarded}` };
  }
  if (dst === '0') return { ok: true, from, to: 'drop' };
  const to = signalNamed(dst);
  if (to === undefined) return { ok: false, problem: unknownSignal(dst, text) };
  return { ok: true, from, to };
}

/** What to send for a received signal. */
export function rewritten(rewrites: Rewrites, signal: NodeJS.Signals): NodeJS.Signals | 'drop' {
  return rewrites.get(signal) ?? signal;
}

function unknownSignal(given: string, text: string): string {
  return `unknown signal "${given}" in "${text}": give a name (TERM or SIGTERM) or a number from 1 to ${HIGHEST}, and 0 as DST to drop the signal`;
}

/** TERM, SIGTERM, sigterm or 15 → SIGTERM; aliases (IOT, POLL) → the first name for their number. */
function signalNamed(text: string): NodeJS.Signals | undefined {
  const number = /^\d+$/.test(text) ? Number(text) : constants.signals[(/^sig/i.test(text) ? text : `SIG${text}`).toUpperCase() as NodeJS.Signals];
  if (number === undefined || number < 1 || number > HIGHEST) return undefined;
  return (Object.keys(constants.signals) as NodeJS.Signals[]).find((name) => constants.signals[name] === number);
}
