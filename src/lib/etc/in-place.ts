// In-place rewrite of the bind-mounted files (hosts, resolv.conf, hostname): a rename would detach the
// running container's bind mount from the file, so the inode must stay the same.
// Container readers take no lock and a buffered write(2) is not atomic to a concurrent read(2), so a
// torn read cannot be ruled out; this writer narrows it: bytes before the first difference are never
// written, the rest is one pwrite padded with "\n" before the truncate (no stale tail), unchanged
// content is not written. Measurements and guarantees: docs/container-files.md.
import { closeSync, constants as fsc, fchmodSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';

export interface InPlaceOptions {
  // Mode after the write (chmod, not subject to umask); 0644 as nerdctl's files.
  mode?: number;
}

export interface InPlacePlan {
  offset: number;
  // Bytes to write at `offset`.
  payload: Buffer;
  // New length when the file shrinks.
  truncateTo: number | undefined;
}

// Index of the first differing byte (the shorter length when one is a prefix of the other). Equal
// chunks are skipped with a native compare: a start rewrites every peer's file, mostly appending.
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const shared = Math.min(a.length, b.length);
  const CHUNK = 512;
  let offset = 0;
  while (offset + CHUNK <= shared && Buffer.compare(a.subarray(offset, offset + CHUNK), b.subarray(offset, offset + CHUNK)) === 0) offset += CHUNK;
  while (offset < shared && a[offset] === b[offset]) offset++;
  return offset;
}

// What to write to turn `old` into `next`, or undefined when they are equal. Pure.
export function planInPlace(old: Uint8Array, next: Uint8Array): InPlacePlan | undefined {
  const offset = firstDifference(old, next);
  if (offset === old.length && offset === next.length) return undefined;
  const tail = Buffer.from(next.subarray(offset));
  const oldTail = old.length - offset;
  const payload = tail.length >= oldTail ? tail : Buffer.concat([tail, Buffer.alloc(oldTail - tail.length, 0x0a)]);
  return { offset, payload, truncateTo: next.length < old.length ? next.length : undefined };
}

// Rewrite `path` keeping its inode (created with `mode` if missing). Returns whether bytes changed.
// A symlink planted at `path` is refused (ELOOP), never written through; so in updateInPlaceSync.
export async function writeInPlace(path: string, content: string | Uint8Array, opts: InPlaceOptions = {}): Promise<boolean> {
  const mode = opts.mode ?? 0o644;
  const next = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const fh = await open(path, fsc.O_RDWR | fsc.O_CREAT | fsc.O_NOFOLLOW, mode);
  try {
    const plan = planInPlace(await fh.readFile(), next);
    if (plan) {
      let done = 0;
      while (done < plan.payload.length) {
        const { bytesWritten } = await fh.write(plan.payload, done, plan.payload.length - done, plan.offset + done);
        done += bytesWritten;
      }
      if (plan.truncateTo !== undefined) await fh.truncate(plan.truncateTo);
    }
    // No fsync: these files are regenerated on every start, and fsyncs on this path are what made
    // nerdctl's fan-out slow (nerdctl#5047); meta.json, the source of truth, is fsynced.
    await fh.chmod(mode);
    return plan !== undefined;
  } finally {
    await fh.close();
  }
}

// The whole of an open file, read from offset 0 into `scratch` (grown as needed) without the
// fstat and the fresh buffer readFileSync costs per call; valid until the scratch is used again.
interface Scratch {
  buf: Buffer;
}
// At most `limit` bytes are read, however large the file is or grows meanwhile.
function readWhole(fd: number, scratch: Scratch, sizeHint: number, limit = Infinity): Buffer {
  const want = Math.min(sizeHint, limit) + 1;
  if (scratch.buf.length < want) scratch.buf = Buffer.allocUnsafe(Math.max(want, Math.min(scratch.buf.length * 2, limit)));
  let length = 0;
  for (;;) {
    if (length >= limit) return scratch.buf.subarray(0, limit);
    if (length === scratch.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(scratch.buf.length * 2, limit));
      scratch.buf.copy(grown, 0, 0, length);
      scratch.buf = grown;
    }
    const n = readSync(fd, scratch.buf, length, Math.min(scratch.buf.length, limit) - length, length);
    if (n === 0) return scratch.buf.subarray(0, length);
    length += n;
  }
}

const metaScratch: Scratch = { buf: Buffer.allocUnsafe(16 * 1024) };
const hostsScratch: Scratch = { buf: Buffer.allocUnsafe(16 * 1024) };

// A small file's bytes (a copy), synchronously: for the hosts store's reads of every meta.json.
// `onStat` gets the open file's fstat when given; `noFollow` refuses a symlink (ELOOP).
// Errors as readFileSync's (ENOENT, ENOTDIR, EISDIR...).
export function readSmallSync(path: string, onStat?: (st: Stats) => void, noFollow = false): Buffer {
  const fd = openSync(path, fsc.O_RDONLY | (noFollow ? fsc.O_NOFOLLOW : 0));
  try {
    onStat?.(fstatSync(fd));
    return Buffer.from(readWhole(fd, metaScratch, 0));
  } finally {
    closeSync(fd);
  }
}

export interface UpdateOptions extends InPlaceOptions {
  // Read at most this many bytes: a file the container grew past it is cut to what render returns.
  maxBytes?: number;
}

// Read, render and rewrite one file under a single open, synchronously (created with `mode` if
// missing; `render` gets '' then). For the hosts store's fan-out over many small files in a
// short-lived hook, where each thread-pool round trip costs more than the syscalls themselves: one
// fstat (size and mode), one read into a reused buffer, the changed tail written, close.
// Over `maxBytes`, `render` gets the first maxBytes up to their last newline and `over` = true, and
// the file is truncated to what it returns. Same guarantees as writeInPlace. Returns whether bytes changed.
export function updateInPlaceSync(path: string, render: (current: string, over: boolean) => string, opts: UpdateOptions = {}): boolean {
  const mode = opts.mode ?? 0o644;
  const limit = opts.maxBytes ?? Infinity;
  const fd = openSync(path, fsc.O_RDWR | fsc.O_CREAT | fsc.O_NOFOLLOW, mode);
  try {
    const st = fstatSync(fd);
    // One byte past the cap tells a file at the cap from one over it.
    let old = readWhole(fd, hostsScratch, st.size, limit + 1);
    const over = old.length > limit;
    if (over) old = old.subarray(0, old.lastIndexOf(0x0a, limit - 1) + 1);
    const next = Buffer.from(render(old.toString('utf8'), over), 'utf8');
    const plan = planInPlace(old, next);
    if (!plan && !over) return false;
    if (plan) for (let done = 0; done < plan.payload.length; ) done += writeSync(fd, plan.payload, done, plan.payload.length - done, plan.offset + done);
    if (over) ftruncateSync(fd, next.length);
    else if (plan?.truncateTo !== undefined) ftruncateSync(fd, plan.truncateTo);
    if ((st.mode & 0o7777) !== mode) fchmodSync(fd, mode);
    return true;
  } finally {
    closeSync(fd);
  }
}
