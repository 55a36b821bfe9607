// --exec: replace lockguard with the command, for images where tini or `docker --init`
// already supervises. process.execve arrived in Node 22.15 and 23.11.
import { accessSync, constants } from 'node:fs';
import { headOf } from '../kernel/file-head.js';
import { launchFailure, type LaunchFailure } from './resolve.js';

export function execSupported(): boolean {
  return typeof process.execve === 'function';
}

export function execUnsupportedMessage(): string {
  return `--exec needs process.execve (Node 22.15+ or 23.11+), and this is Node ${process.version}. Upgrade Node, or drop --exec to run the command supervised.`;
}

/**
 * execve(2) the resolved command; returns only what stopped it first.
 *
 * process.execve cannot fail gracefully: when the kernel refuses, Node aborts the
 * process (SIGABRT, with a native stack trace) instead of throwing. So check what the
 * kernel will load besides the file (a script's #! interpreter, a binary's dynamic
 * loader), so that the usual mistakes get one line and the shell's exit code.
 *
 * Node ignores SIGPIPE and SIGXFSZ from its start, and execve keeps ignored signals
 * ignored. The signal trap has already taken both (a caught signal, or one whose
 * listener is gone, is back to its default after execve), so the command starts with
 * none ignored.
 */
export function execCommand(path: string, argv: readonly string[]): LaunchFailure {
  const loader = loaderOf(path);
  if (loader === 'unknown-format') return launchFailure(path, 'ENOEXEC');
  if (loader !== undefined) {
    try {
      accessSync(loader, constants.X_OK);
    } catch (error) {
      return launchFailure(path, (error as NodeJS.ErrnoException).code);
    }
  }
  return process.execve!(path, argv, process.env);
}

const HEAD_BYTES = 4096;
const ELF_MAGIC = 0x7f454c46;
const ELF64_HEADER_BYTES = 0x40;
const PT_INTERP = 3;

/** The #! interpreter or the ELF PT_INTERP of a file; undefined for a static binary or when we cannot tell. */
function loaderOf(path: string): string | 'unknown-format' | undefined {
  // undefined when only the kernel may read the file (mode --x): the kernel then checks it.
  const head = headOf(path, HEAD_BYTES, constants.O_RDONLY);
  if (head === undefined) return undefined;
  if (head.subarray(0, 2).toString('latin1') === '#!') {
    const line = head.subarray(2).toString('latin1').split('\n')[0]!;
    return line.trim().split(/[ \t]/)[0];
  }
  if (head.length < ELF64_HEADER_BYTES || head.readUInt32BE(0) !== ELF_MAGIC) return 'unknown-format';
  // Only 64-bit little-endian ELF (x86-64, arm64) is read; others go to the kernel unchecked.
  if (head[4] !== 2 || head[5] !== 1) return undefined;
  const phoff = Number(head.readBigUInt64LE(0x20));
  const phentsize = head.readUInt16LE(0x36);
  const phnum = head.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 40 > head.length) return undefined;
    if (head.readUInt32LE(at) !== PT_INTERP) continue;
    const offset = Number(head.readBigUInt64LE(at + 8));
    const size = Number(head.readBigUInt64LE(at + 32));
    if (offset + size > head.length) return undefined;
    return head.subarray(offset, offset + size).toString('latin1').replace(/\0+$/, '');
  }
  return undefined;
}

