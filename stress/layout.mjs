// Where the stress run keeps things: ~50 session locks spread over a few agents, one journal per session.
import { join } from 'node:path';

export const AGENTS = 3;

export function sessionsDirOf(stateDir, agent) {
  return join(stateDir, 'agents', `agent${agent}`, 'sessions');
}

export function lockPathOf(stateDir, session) {
  return join(sessionsDirOf(stateDir, session % AGENTS), `s${session}.jsonl.lock`);
}

export function journalPathOf(runDir, session) {
  return join(runDir, 'journals', `s${session}.log`);
}
