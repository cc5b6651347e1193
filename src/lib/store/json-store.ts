// nerdctl's generic file store (pkg/store/filestore.go): flock(LOCK_EX) on the store root
// directory itself, every operation only while holding it, atomic Set (`.tmp-` file + rename),
// directories 0700 and files 0600.
import { constants as fsc, lstatSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError, wrapError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { withLock } from './flock.js';

export interface FileStoreOptions {
  dirMode?: number;
  fileMode?: number;
  // Give up waiting for another holder after this long (default: wait, as nerdctl does).
  lockTimeoutMs?: number;
}

// What `withLock` hands out: the store's operations, usable only inside the callback.
export interface LockedStore {
  readonly root: string;
  // Absolute path of a key, validated.
  location(...key: string[]): string;
  // File bytes, or undefined when missing.
  get(...key: string[]): Promise<Buffer | undefined>;
  // Atomic replace; parents created with the store's dir mode.
  set(data: string | Uint8Array, ...key: string[]): Promise<void>;
  exists(...key: string[]): Promise<boolean>;
  // Entry names of a group (the root with no key), sorted; leftover `.tmp-` files are hidden.
  list(...key: string[]): Promise<string[]>;
  // Remove a file or group; false when it did not exist.
  delete(...key: string[]): Promise<boolean>;
  // Atomic rename of one entry to another (same store).
  move(from: string[], to: string[]): Promise<void>;
  ensureGroup(...key: string[]): Promise<string>;
}

// nerdctl's ValidatePathComponent: a key part is one path segment, never "..", "/" or NUL.
export function validatePathComponent(part: string): string {
  if (part === '' || part === '.' || part === '..' || part.includes('/') || /[\u0000-\u001f\u007f]/.test(part) || part.length > 255) {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid store key ${JSON.stringify(part)}: a key must be one non-empty path segment without "/", "..", control characters or NUL`);
  }
  return part;
}

// A group (directory) planted as a symlink would take reads, writes and deletes outside the store.
function refuseSymlink(path: string): void {
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    return;
  }
  if (link) throw new NerdnetError('ERR_INVALID_CONFIG', `${path} is a symbolic link, not a directory of the store; nerdnet does not follow it: remove it`);
}

export class FileStore {
  readonly dirMode: number;
  readonly fileMode: number;

  constructor(
    readonly root: string,
    private readonly opts: FileStoreOptions = {},
  ) {
    this.dirMode = opts.dirMode ?? 0o700;
    this.fileMode = opts.fileMode ?? 0o600;
  }

  // Run `fn` holding the store lock; the handle refuses use after `fn` ends.
  async withLock<T>(fn: (store: LockedStore) => Promise<T>): Promise<T> {
    await mkdir(this.root, { recursive: true, mode: this.dirMode });
    return withLock(
      this.root,
      async () => {
        const handle = new Handle(this);
        try {
          return await fn(handle);
        } finally {
          handle.closed = true;
        }
      },
      this.opts.lockTimeoutMs === undefined ? {} : { timeoutMs: this.opts.lockTimeoutMs },
    );
  }
}

// Open the store at `root` and run `fn` under its lock; errors that are not ours name the store.
export async function withStore<T>(what: string, root: string, lockTimeoutMs: number | undefined, fn: (tx: LockedStore) => Promise<T>): Promise<T> {
  const store = new FileStore(root, lockTimeoutMs === undefined ? {} : { lockTimeoutMs });
  try {
    return await store.withLock(fn);
  } catch (err) {
    throw NerdnetError.is(err) ? err : wrapError(`${what} ${root}`, err);
  }
}

class Handle implements LockedStore {
  closed = false;
  readonly root: string;
  // Top-level groups list() returned under this lock: known not to be symlinks, so location() skips
  // their lstat (the hosts store's fan-out reads two files in each of N groups per start).
  private readonly listed = new Set<string>();

  constructor(private readonly store: FileStore) {
    this.root = store.root;
  }

  location(...key: string[]): string {
    if (this.closed) throw new NerdnetError('ERR_INTERNAL', `store ${this.root} used after its lock was released`);
    const parts = key.map(validatePathComponent);
    for (let i = 1; i < parts.length; i++) if (i > 1 || !this.listed.has(parts[0] ?? '')) refuseSymlink(join(this.root, ...parts.slice(0, i)));
    return join(this.root, ...parts);
  }

  async get(...key: string[]): Promise<Buffer | undefined> {
    const path = this.location(...key);
    try {
      return await readFile(path, { flag: fsc.O_RDONLY | fsc.O_NOFOLLOW });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if ((err as NodeJS.ErrnoException).code === 'ELOOP') refuseSymlink(path);
      throw err;
    }
  }

  async set(data: string | Uint8Array, ...key: string[]): Promise<void> {
    if (key.length === 0) throw new NerdnetError('ERR_INVALID_ARG', 'store set needs a key');
    await writeFileAtomic(this.location(...key), data, { mode: this.store.fileMode, dirMode: this.store.dirMode });
  }

  async exists(...key: string[]): Promise<boolean> {
    try {
      await stat(this.location(...key));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async list(...key: string[]): Promise<string[]> {
    try {
      const entries = await readdir(this.location(...key), { withFileTypes: true });
      // A symlink is never an entry of ours: following it would read or write outside the store.
      const names = entries.filter((e) => !e.name.startsWith('.tmp-') && !e.isSymbolicLink()).map((e) => e.name).sort();
      if (key.length === 0) for (const n of names) this.listed.add(n);
      return names;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async delete(...key: string[]): Promise<boolean> {
    if (key.length === 0) throw new NerdnetError('ERR_INVALID_ARG', 'store delete needs a key; refusing to remove the store root');
    const path = this.location(...key);
    if (!(await this.exists(...key))) return false;
    await rm(path, { recursive: true, force: true });
    if (key.length === 1) this.listed.delete(key[0] ?? '');
    return true;
  }

  async move(from: string[], to: string[]): Promise<void> {
    await rename(this.location(...from), this.location(...to));
    this.listed.delete(from[0] ?? '');
    this.listed.delete(to[0] ?? '');
  }

  async ensureGroup(...key: string[]): Promise<string> {
    const path = this.location(...key);
    await mkdir(path, { recursive: true, mode: this.store.dirMode });
    return path;
  }
}
