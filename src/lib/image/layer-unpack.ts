// Unpack one layer tar (plain or gzip) into an empty directory in overlayfs's format: `.wh.x`
// becomes a 0:0 character device, `.wh..wh..opq` the opaque xattr (OCI image-spec layer.md).
// The uncompressed stream is hashed on the way, so the caller can check it against its diffID.
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Extract, type Header } from 'tar-stream';
import { NerdnetError } from '../errors.js';
import { tarProblem } from './archive-read.js';
import { AutoGunzip, HashingStream } from './digest.js';
import { OPAQUE_XATTR, S_IFBLK, S_IFCHR, S_IFIFO, lsetxattr, makedev, mkWhiteout, mknod } from './native.js';
import { SafeTree, entryPath } from './safe-tree.js';

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

type Entry = Extract extends AsyncIterable<infer S> ? S : never;
type Headers = Header;

export interface LayerDigest {
  // sha256 of the uncompressed tar: the image config's diff_id.
  diffID: string;
  tarBytes: number;
}

export interface UnpackedLayer extends LayerDigest {
  // Bytes of regular file content: what `image ls` adds up as SIZE.
  size: number;
}

interface DirMeta {
  mode: number;
  mtime: Date | undefined;
  uid: number;
  gid: number;
}

// Run `onEntry` for every entry of the (maybe gzip) tar `source`, hashing the uncompressed bytes.
async function walkTar(source: Readable, label: string, onEntry: (entry: Entry) => Promise<void>): Promise<LayerDigest> {
  const gunzip = new AutoGunzip();
  const hash = new HashingStream();
  const tar = extract();
  const feeding = pipeline(source, gunzip, hash, tar);
  // Observed below; this only stops an early loop exit from surfacing as an unhandled rejection.
  feeding.catch(() => {});
  try {
    for await (const entry of tar) await onEntry(entry);
    await feeding;
  } catch (err) {
    source.destroy();
    if (NerdnetError.is(err)) throw err;
    throw new NerdnetError('ERR_INVALID_ARG', `${label}: not a valid layer tar${gunzip.compressed ? ' (gzip)' : ''}: ${tarProblem(err)}`, { cause: err });
  }
  return { diffID: hash.digest(), tarBytes: hash.bytes };
}

// Hash a layer without unpacking it (a layer already in the store is checked, not rewritten).
export async function digestLayer(source: Readable, label: string): Promise<LayerDigest> {
  return walkTar(source, label, drain);
}

export async function unpackLayer(source: Readable, dest: string, label: string): Promise<UnpackedLayer> {
  const w = new LayerWriter(new SafeTree(dest, label), label);
  const digest = await walkTar(source, label, (entry) => w.write(entry));
  await w.finish();
  return { ...digest, size: w.size };
}

const isRoot = process.getuid?.() === 0;

class LayerWriter {
  size = 0;
  private readonly dirMeta = new Map<string, DirMeta>();
  // Whiteouts made by this layer: a directory later made at the same path must hide lower ones.
  private readonly whiteouts = new Set<string>();

  constructor(
    private readonly tree: SafeTree,
    private readonly label: string,
  ) {}

  async write(entry: Entry): Promise<void> {
    const h = entry.header;
    const rel = entryPath(h.name, this.label);
    const base = posix.basename(rel);
    if (rel !== '' && base.startsWith(WH)) {
      await this.whiteout(rel, base);
      return drain(entry);
    }
    if (h.type === 'file' || h.type === 'contiguous-file') return this.file(rel, h, entry);
    await drain(entry);
    if (h.type === 'directory') return this.dir(rel, h);
    if (rel === '') throw this.bad(h, 'the layer root can only be a directory');
    await this.tree.ensureParents(rel);
    await this.clear(rel);
    const path = this.tree.abs(rel);
    switch (h.type) {
      case 'symlink':
        // Created as-is and never followed: absolute targets are resolved by the container, not by us.
        await symlink(h.linkname ?? '', path);
        break;
      case 'link':
        await this.hardlink(rel, h);
        return;
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        const kind = h.type === 'fifo' ? S_IFIFO : h.type === 'character-device' ? S_IFCHR : S_IFBLK;
        mknod(path, kind | ((h.mode ?? 0o644) & 0o7777), makedev(h.devmajor ?? 0, h.devminor ?? 0));
        break;
      }
      default:
        throw this.bad(h, `entry type ${String(h.type)} is not supported`);
    }
    await this.meta(path, h, h.type === 'symlink');
  }

  // Directory modes and times last: a 0555 directory must still take its children first.
  async finish(): Promise<void> {
    const byDepth = [...this.dirMeta].sort((a, b) => b[0].split('/').length - a[0].split('/').length);
    for (const [rel, m] of byDepth) {
      const path = this.tree.abs(rel);
      if (isRoot) await lchown(path, m.uid, m.gid);
      await chmod(path, m.mode);
      if (m.mtime) await utimes(path, m.mtime, m.mtime);
    }
  }

  private async file(rel: string, h: Headers, entry: Entry): Promise<void> {
    if (rel === '') throw this.bad(h, 'the layer root can only be a directory');
    await this.tree.ensureParents(rel);
    await this.clear(rel);
    const path = this.tree.abs(rel);
    // "wx" (O_EXCL) never follows a symlink planted at the path.
    const fh = await open(path, 'wx', 0o600);
    try {
      for await (const chunk of entry) await fh.write(chunk as Buffer);
    } finally {
      await fh.close();
    }
    this.size += h.size ?? 0;
    await this.meta(path, h, false);
  }

  private async dir(rel: string, h: Headers): Promise<void> {
    await this.tree.ensureParents(rel);
    const path = this.tree.abs(rel);
    const replacesWhiteout = this.whiteouts.has(rel);
    if (!this.tree.isKnownDir(rel)) {
      await this.clear(rel);
      await mkdir(path);
      this.tree.markDir(rel);
    }
    if (replacesWhiteout) lsetxattr(path, OPAQUE_XATTR, Buffer.from('y'));
    this.dirMeta.set(rel, { mode: (h.mode ?? 0o755) & 0o7777, mtime: h.mtime, uid: h.uid ?? 0, gid: h.gid ?? 0 });
  }

  private async hardlink(rel: string, h: Headers): Promise<void> {
    const target = entryPath(h.linkname ?? '', this.label);
    await this.tree.checkExisting(target);
    const st = await lstat(this.tree.abs(target)).catch(() => undefined);
    if (!st || st.isDirectory()) throw this.bad(h, `hard link target ${JSON.stringify(h.linkname)} is not a file earlier in this layer`);
    await link(this.tree.abs(target), this.tree.abs(rel));
  }

  private async whiteout(rel: string, base: string): Promise<void> {
    const dir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
    await this.tree.ensureDir(dir);
    if (base === OPAQUE) return lsetxattr(this.tree.abs(dir), OPAQUE_XATTR, Buffer.from('y'));
    // Other `.wh..wh.*` names are aufs bookkeeping (hard link dirs): nothing to apply.
    if (base.startsWith(`${WH}${WH}`)) return;
    const name = base.slice(WH.length);
    if (name === '' || name === '.' || name === '..') throw new NerdnetError('ERR_INVALID_ARG', `${this.label}: whiteout ${JSON.stringify(rel)} names no file`);
    const target = dir === '' ? name : `${dir}/${name}`;
    const existing = await lstat(this.tree.abs(target)).catch(() => undefined);
    // A whiteout hides lower layers only (spec): this layer's own entry stays, a dir becomes opaque.
    if (existing) {
      if (existing.isDirectory()) lsetxattr(this.tree.abs(target), OPAQUE_XATTR, Buffer.from('y'));
      return;
    }
    mkWhiteout(this.tree.abs(target));
    this.whiteouts.add(target);
  }

  // Remove what this layer put at `rel` before (a later entry of the same name wins).
  private async clear(rel: string): Promise<void> {
    this.whiteouts.delete(rel);
    this.tree.forget(rel);
    this.dirMeta.delete(rel);
    await rm(this.tree.abs(rel), { recursive: true, force: true });
  }

  private async meta(path: string, h: Headers, isLink: boolean): Promise<void> {
    // chown before chmod: chown clears setuid/setgid bits.
    if (isRoot) await lchown(path, h.uid ?? 0, h.gid ?? 0);
    if (!isLink) await chmod(path, (h.mode ?? 0o644) & 0o7777);
    if (h.mtime) await (isLink ? lutimes : utimes)(path, h.mtime, h.mtime);
  }

  private bad(h: Headers, why: string): NerdnetError {
    return new NerdnetError('ERR_INVALID_ARG', `${this.label}: entry ${JSON.stringify(h.name)}: ${why}`);
  }
}

async function drain(entry: Entry): Promise<void> {
  for await (const _chunk of entry) {
    // discard
  }
}
