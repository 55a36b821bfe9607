// Real holder processes for the kernel tests, optionally in a fresh PID namespace.
import { fileURLToPath } from 'node:url';
import { NODE, startHelper, type Helper } from '../../helpers/run.js';

export const HOLDER = fileURLToPath(new URL('./sqlite-holder.mjs', import.meta.url));

export type Holder = Helper;

/** Starts the sqlite holder and waits for its "ready" line. `namespace`: run it as PID 1 of a new PID namespace. */
export function startHolder(args: string[], options: { namespace?: boolean } = {}): Promise<Holder> {
  return startHelper([NODE, HOLDER, ...args], { ready: /ready (\d+)/, pid1: options.namespace ?? false });
}

