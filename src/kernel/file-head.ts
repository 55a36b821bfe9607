import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A file's first `length` bytes (fewer if it is shorter), or undefined if it cannot be opened.
 * `flags` are open(2)'s: O_RDONLY follows symlinks, as the kernel does when it loads a command.
 */
export function headOf(path: string, length: number, flags: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(length);
    return head.subarray(0, readSync(fd, head, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}
