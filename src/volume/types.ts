// What the sweep knows about a state dir's volume: who else may hold locks on it.

/** flag: the operator said so; presence-lock: the flock probe decided; flock-unsupported: auto fell back to shared. */
export type VolumeBasis = 'flag' | 'presence-lock' | 'flock-unsupported';

export interface VolumeFacts {
  /** exclusive: only this container or pod uses the volume; shared: others may hold locks on it. */
  mode: 'exclusive' | 'shared';
  basis: VolumeBasis;
}
