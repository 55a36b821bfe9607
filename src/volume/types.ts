// What the sweep knows about a state dir's volume: who else may hold locks on it, and where it lives.

/** flag: the operator said so; presence-lock: the flock probe decided; flock-unsupported: auto fell back to shared. */
export type VolumeBasis = 'flag' | 'presence-lock' | 'flock-unsupported';

/** Who else may hold locks on the volume, as the presence lock or the operator says. */
export interface VolumeMode {
  /** exclusive: only this container or pod uses the volume; shared: others may hold locks on it. */
  mode: 'exclusive' | 'shared';
  basis: VolumeBasis;
}

/** The state dir's filesystem by its statfs type: only on a local one is every writer a process of this kernel. */
export interface FilesystemFacts {
  /** The type's name (ext2/3/4, nfs, fuse …), or its statfs magic in hex. */
  type: string;
  local: boolean;
}

export interface VolumeFacts extends VolumeMode {
  filesystem: FilesystemFacts;
}
