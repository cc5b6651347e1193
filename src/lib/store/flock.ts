// flock(2) locks that interoperate with nerdctl and the Go CNI plugins (design.md §4): a mkdir or
// fcntl lock would be invisible to them. koffi calls libc directly (host/libc.ts, loaded on the
// first lock); no compiler at install time.
import { closeSync, mkdirSync, openSync, constants as fsc, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NerdnetError } from '../errors.js';
import { libc } from '../host/libc.js';

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const EINTR = 4;
const EWOULDBLOCK = 11;

type FlockFn = (fd: number, op: number) => number;
let flockFns: { flock: FlockFn; errno: () => number } | undefined;

function libcFlock(): { flock: FlockFn; errno: () => number } {
  if (!flockFns) {
    const { lib, errno } = libc();
    flockFns = { flock: lib.func('int flock(int fd, int op)') as FlockFn, errno };
  }
  return flockFns;
}

// One flock attempt; EINTR retried as nerdctl does. Returns false when another holder has it.
function tryFlock(fd: number, op: number): boolean {
  for (;;) {
    if (libcFlock().flock(fd, op | LOCK_NB) === 0) return true;
    const errno = libcFlock().errno();
    if (errno === EINTR) continue;
    if (errno === EWOULDBLOCK) return false;
    throw new NerdnetError('ERR_LOCK', `flock failed with errno ${errno}`);
  }
}

export interface LockOptions {
  shared?: boolean;
  // Give up after this long (default: wait forever).
  timeoutMs?: number;
  signal?: AbortSignal;
}

// Same-process re-entry would deadlock on flock (two open()s conflict): queue per path first.
const inProcess = new Map<string, Promise<void>>();

async function queueInProcess(path: string): Promise<() => void> {
  const previous = inProcess.get(path) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const chained = previous.then(() => mine);
  inProcess.set(path, chained);
  await previous;
  return () => {
    done();
    if (inProcess.get(path) === chained) inProcess.delete(path);
  };
}

function openForLock(path: string): number {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }
  // Directories (nerdctl's store roots) are opened read-only; lock files are created 0600.
  return isDir ? openSync(path, fsc.O_RDONLY | fsc.O_DIRECTORY) : openSync(path, fsc.O_RDONLY | fsc.O_CREAT, 0o600);
}

export class FileLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly leave: () => void,
  ) {}

  // Take the lock on `path` (a file, created if missing, or an existing directory).
  static async acquire(path: string, opts: LockOptions = {}): Promise<FileLock> {
    const leave = await queueInProcess(path);
    let fd: number | undefined;
    try {
      fd = openForLock(path);
      const op = opts.shared ? LOCK_SH : LOCK_EX;
      const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
      // Poll with back-off: a blocking flock would pin one of libuv's four pool threads.
      let wait = 1;
      while (!tryFlock(fd, op)) {
        opts.signal?.throwIfAborted();
        if (Date.now() >= deadline) {
          throw new NerdnetError('ERR_LOCK', `timed out after ${opts.timeoutMs} ms waiting for the lock on ${path}; another process holds it`);
        }
        await sleep(wait);
        wait = Math.min(wait * 2, 25);
      }
      return new FileLock(path, fd, leave);
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      leave();
      throw err;
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      libcFlock().flock(this.fd, LOCK_UN);
    } finally {
      closeSync(this.fd);
      this.leave();
    }
  }
}

// Run `fn` holding the lock; the lock is released however `fn` ends.
export async function withLock<T>(path: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const lock = await FileLock.acquire(path, opts);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
