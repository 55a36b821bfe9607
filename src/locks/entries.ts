// The entries of one directory, read in bulk with getdents64(2), for the walk (discover.ts). A state dir
// may hold 100,000 session transcripts beside a few thousand locks, and the walk wants only the locks.
// Node's Dir makes a Dirent object and a string of every name: listing such a directory cost the walk
// about twice what the kernel takes to list it. Here a name becomes a string only where the walk may want
// it: every directory (it may be entered), every entry whose type the filesystem does not say, and every
// other name whose last byte can end a name the walk yields (`EndBytes`, from its patterns).
import { closeSync, constants, lstatSync, openSync } from 'node:fs';
import { errnoName, readDirents } from '../kernel/ffi.js';

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

/** For each byte value, whether a wanted name may end with it; or every name. */
export type EndBytes = Uint8Array | 'all';

/** Returned by `next` for an entry the walk cannot want: counted, never decoded. */
export const SKIPPED = Symbol('lockguard.entries.skipped');

/** Bytes per getdents64 call: about 700 names of 25 bytes. One buffer serves a whole walk, one directory at a time. */
export const DIRENTS_BUFFER_BYTES = 32 * 1024;

// struct linux_dirent64: d_ino (8 bytes), d_off (8), d_reclen (2, in the machine's byte order), d_type (1), then
// d_name, NUL-terminated and padded to a multiple of 8: the NUL is in the record's last 8 bytes.
const RECLEN_AT = 16;
const TYPE_AT = 18;
const NAME_AT = 19;
const DT_UNKNOWN = 0;
const DT_DIR = 4;
const DT_REG = 8;
const DT_LNK = 10;
const DOT = 0x2e;

export class DirectoryEntries {
  /** The last entry `next` returned: one object, overwritten by the next call. */
  readonly entry: { name: string; type: EntryType } = { name: '', type: 'other' };
  readonly #fd: number;
  /** The buffer as 16-bit words, in the machine's byte order as the kernel writes d_reclen (records start 8-aligned). */
  readonly #words: Uint16Array;
  #start = 0;
  #end = 0;

  /** Opens `path` (throws as openSync does); `buffer` is the walk's, and holds this directory's entries until it is closed. */
  constructor(
    readonly path: string,
    private readonly wanted: EndBytes,
    private readonly buffer: Buffer,
  ) {
    this.#fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
    this.#words = new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.length >> 1);
  }

  /** The next entry, SKIPPED for one the walk cannot want, or null at the end. "." and ".." are left out, as readdir(3) users expect. */
  next(): { name: string; type: EntryType } | typeof SKIPPED | null {
    const buffer = this.buffer;
    for (;;) {
      if (this.#start >= this.#end && !this.#fill()) return null;
      const at = this.#start;
      const length = this.#words[(at + RECLEN_AT) >> 1]!;
      this.#start = at + length;
      const type = buffer[at + TYPE_AT]!;
      let nul = Math.max(at + NAME_AT, at + length - 8);
      while (buffer[nul] !== 0) nul++;
      if (type === DT_DIR && isDotOrDotDot(buffer, at + NAME_AT, nul)) continue;
      if (type !== DT_DIR && type !== DT_UNKNOWN && this.wanted !== 'all' && this.wanted[buffer[nul - 1]!] !== 1) return SKIPPED;
      const name = buffer.toString('utf8', at + NAME_AT, nul);
      const known = type === DT_UNKNOWN ? typeFromLstat(`${this.path}/${name}`) : typeOf(type);
      if (known === undefined) continue; // gone since it was listed
      this.entry.name = name;
      this.entry.type = known;
      return this.entry;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  #fill(): boolean {
    const read = readDirents(this.#fd, this.buffer);
    if ('errno' in read) {
      const code = errnoName(read.errno);
      throw Object.assign(new Error(`${code}: cannot list ${this.path}`), { code, errno: -read.errno, syscall: 'getdents64', path: this.path });
    }
    this.#start = 0;
    this.#end = read.bytes;
    return read.bytes > 0;
  }
}

function isDotOrDotDot(buffer: Buffer, from: number, nul: number): boolean {
  const length = nul - from;
  return (length === 1 || length === 2) && buffer[from] === DOT && (length === 1 || buffer[from + 1] === DOT);
}

function typeOf(type: number): EntryType {
  return type === DT_REG ? 'file' : type === DT_DIR ? 'directory' : type === DT_LNK ? 'symlink' : 'other';
}

/** Filesystems that give no type in their entries: the entry's own lstat says, as Node's Dir does it. Undefined: it is gone. */
function typeFromLstat(path: string): EntryType | undefined {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : 'other';
}
