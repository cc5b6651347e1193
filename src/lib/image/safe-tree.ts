// Path safety while unpacking a layer: entry names are normalised inside the layer root, and no
// write ever goes through a symlink or a non-directory, so a hostile layer cannot reach the host.
import { lstat, mkdir, chmod } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { NerdnetError } from '../errors.js';

// A tar entry name as a path relative to the layer root ("" is the root itself).
export function entryPath(name: string, label: string): string {
  if (name.includes('\0')) throw new NerdnetError('ERR_INVALID_ARG', `${label}: entry name ${JSON.stringify(name)} contains NUL`);
  // Docker and containerd strip leading "/" and "./"; ".." is refused rather than clamped.
  const norm = posix.normalize(name.replace(/^\/+/, ''));
  if (norm === '.' || norm === './' || norm === '') return '';
  const rel = norm.replace(/\/+$/, '');
  if (rel.split('/').includes('..')) {
    throw new NerdnetError('ERR_INVALID_ARG', `${label}: entry ${JSON.stringify(name)} escapes the layer root (".." in its path); the archive is unsafe to unpack`);
  }
  return rel;
}

function ancestors(rel: string): string[] {
  const parts = rel.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

export class SafeTree {
  // Relative paths known to be real directories (not symlinks) inside the root.
  private readonly dirs = new Set<string>(['']);

  constructor(
    readonly root: string,
    private readonly label: string,
  ) {}

  abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  // Make every ancestor of `rel` a real directory, refusing one that is a symlink or a file.
  async ensureParents(rel: string): Promise<void> {
    for (const dir of ancestors(rel)) await this.ensureDir(dir, false);
  }

  // `rel` as a real directory (created 0755 if missing), and its ancestors unless told they are done.
  async ensureDir(rel: string, withAncestors = true): Promise<void> {
    if (withAncestors) await this.ensureParents(rel);
    if (this.dirs.has(rel)) return;
    const path = this.abs(rel);
    const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (st === undefined) {
      await mkdir(path);
      // Implicit parents get 0755 as with Docker, whatever the process umask.
      await chmod(path, 0o755);
    } else if (!st.isDirectory()) {
      const what = st.isSymbolicLink() ? 'a symlink' : 'not a directory';
      throw new NerdnetError('ERR_INVALID_ARG', `${this.label}: ${JSON.stringify(rel)} is ${what} but later entries are written below it; refusing to write through it`);
    }
    this.dirs.add(rel);
  }

  // Ancestors must already be real directories (for hard link targets: nothing is created).
  async checkExisting(rel: string): Promise<void> {
    for (const dir of ancestors(rel)) {
      if (this.dirs.has(dir)) continue;
      throw new NerdnetError('ERR_INVALID_ARG', `${this.label}: hard link target ${JSON.stringify(rel)} is not inside a directory of this layer`);
    }
  }

  isKnownDir(rel: string): boolean {
    return this.dirs.has(rel);
  }

  markDir(rel: string): void {
    this.dirs.add(rel);
  }

  // After `rel` was removed or replaced: it and everything below are no longer known directories.
  forget(rel: string): void {
    const prefix = `${rel}/`;
    for (const d of this.dirs) if (d === rel || d.startsWith(prefix)) this.dirs.delete(d);
  }
}
