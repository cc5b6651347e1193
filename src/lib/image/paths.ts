// Every path of the image store in one place. The store is shared by all namespaces and addresses:
// blobs and unpacked layers are content-addressed; only the reference index is per namespace.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { NerdnetError } from '../errors.js';
import { validateIdentifier } from '../store/layout.js';
import { digestHex } from './digest.js';

// <dataRoot>/nerdnet/images: beside nerdctl's 8-hex data stores, never inside one of them.
export function imageStoreRoot(dataRoot: string): string {
  return join(dataRoot, 'nerdnet', 'images');
}

export class ImageStorePaths {
  readonly root: string;

  constructor(dataRoot: string) {
    this.root = imageStoreRoot(dataRoot);
  }

  // flock(2)ed for every change to refs, blobs, layers and rootfs records.
  get lock(): string {
    return join(this.root, 'lock');
  }

  get blobsDir(): string {
    return join(this.root, 'blobs', 'sha256');
  }

  blob(digest: string): string {
    return join(this.blobsDir, digestHex(digest));
  }

  get layersDir(): string {
    return join(this.root, 'layers');
  }

  // layers/<diffID hex>: `fs/` is the overlay lower dir, `layer.json` its size.
  layerDir(diffID: string): string {
    return join(this.layersDir, digestHex(diffID));
  }

  // Relative to `root`: overlay's lowerdir option is one page long, so mounts run with cwd = root.
  layerFsRelative(diffID: string): string {
    return join('layers', digestHex(diffID), 'fs');
  }

  layerFs(diffID: string): string {
    return join(this.layerDir(diffID), 'fs');
  }

  layerMeta(diffID: string): string {
    return join(this.layerDir(diffID), 'layer.json');
  }

  get refsDir(): string {
    return join(this.root, 'refs');
  }

  // refs/<namespace>.json: reference → image record, like containerd's per-namespace image list.
  refsFile(namespace: string): string {
    return join(this.refsDir, `${validateIdentifier('namespace', namespace)}.json`);
  }

  get rootfsRecordsDir(): string {
    return join(this.root, 'rootfs');
  }

  // rootfs/<hash of the container dir>.json: which layers a prepared rootfs holds (GC keeps them).
  rootfsRecord(containerDir: string): string {
    const key = createHash('sha256').update(resolve(containerDir)).digest('hex').slice(0, 32);
    return join(this.rootfsRecordsDir, `${key}.json`);
  }

  // tmp/<pid>-<random>: staging for loads; a dead pid's leftovers are removed by GC.
  get tmpDir(): string {
    return join(this.root, 'tmp');
  }

  // An empty lower dir for images without layers (overlay needs at least one lowerdir).
  get emptyLayer(): string {
    return join(this.root, 'empty');
  }
}

// The three paths a prepared overlay rootfs uses inside a container's directory.
export function rootfsPaths(containerDir: string): { merged: string; upper: string; work: string; overlayDir: string } {
  const dir = resolve(containerDir);
  // overlay's mount options are split on "," and ":"; a path with them (or a newline) cannot be passed.
  if (/[,:\\\n\0]/.test(dir)) {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid container directory ${JSON.stringify(containerDir)}: overlayfs cannot use a path containing ",", ":", "\\" or a newline; choose another directory`);
  }
  const overlayDir = join(dir, 'overlay');
  return { merged: join(dir, 'rootfs'), upper: join(overlayDir, 'upper'), work: join(overlayDir, 'work'), overlayDir };
}
