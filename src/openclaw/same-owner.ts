// Correlated evidence (docs/design.md, "Correlated evidence"). OpenClaw names one acquisition of its
// gateway by one random token: both gateway lock files carry it as ownerId, and a serving gateway's
// gateway-owner row as its owner column, each with the same pid and start. The sweep judges lock files
// before rows, so what the lock files proved about that owner is evidence about its row.
import type { Owner } from '../locks/types.js';
import type { Verdict } from '../verdict/types.js';

/** What the lock files naming an owner proved about it: evidence for another record naming that owner. */
export type SameOwner = 'live' | 'stale';

export class OwnerLedger {
  private readonly byPath = new Map<string, { owner: Owner; verdict: Verdict }>();

  /** The latest look at a lock file: a second look replaces the first, and a lock gone since is forgotten. */
  note(path: string, owner: Owner, verdict: Verdict): void {
    if (owner.ownerId === undefined) this.byPath.delete(path);
    else this.byPath.set(path, { owner, verdict });
  }

  forget(path: string): void {
    this.byPath.delete(path);
  }

  /** 'live' if a lock file naming the same owner is live; 'stale' if one is stale and none is live. */
  fateOf(owner: Owner): SameOwner | undefined {
    let fate: SameOwner | undefined;
    for (const noted of this.byPath.values()) {
      if (!sameOwner(noted.owner, owner)) continue;
      if (noted.verdict === 'live') return 'live';
      if (noted.verdict === 'stale') fate = 'stale';
    }
    return fate;
  }
}

/** One acquisition: the same token, with pid and start agreeing wherever both records carry them. */
function sameOwner(a: Owner, b: Owner): boolean {
  return a.ownerId !== undefined && a.ownerId === b.ownerId && a.pid === b.pid && agree(a.starttime, b.starttime) && agree(a.processStartMs, b.processStartMs);
}

function agree(a: number | undefined, b: number | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}
