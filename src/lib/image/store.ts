// The image store: open it under a data root, list and resolve images, read their configs.
// Loading, removal, GC and rootfs preparation live in their own modules and take the store.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { withLock } from '../store/flock.js';
import { validateIdentifier } from '../store/layout.js';
import { parseImageConfig, type ImageConfig } from './config.js';
import { findImage } from './find.js';
import { ImageStorePaths } from './paths.js';
import { readRefs, type ImageRecord } from './refs.js';

export interface ImageStoreOptions {
  // nerdctl's --data-root (default /var/lib/nerdctl); the store is <dataRoot>/nerdnet/images.
  dataRoot: string;
  // containerd namespace whose image names are used (default "default").
  namespace?: string;
}

export class ImageStore {
  readonly paths: ImageStorePaths;
  readonly namespace: string;

  private constructor(
    readonly dataRoot: string,
    namespace: string,
  ) {
    this.paths = new ImageStorePaths(dataRoot);
    this.namespace = validateIdentifier('namespace', namespace);
  }

  static async open(opts: ImageStoreOptions): Promise<ImageStore> {
    const store = new ImageStore(opts.dataRoot, opts.namespace ?? 'default');
    const p = store.paths;
    for (const dir of [p.blobsDir, p.layersDir, p.refsDir, p.rootfsRecordsDir, p.tmpDir, p.emptyLayer]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
    return store;
  }

  // The same store seen from another namespace.
  withNamespace(namespace: string): ImageStore {
    return new ImageStore(this.dataRoot, namespace);
  }

  // Run `fn` holding the store's flock (every change to refs, blobs, layers, rootfs records).
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.paths.lock, fn);
  }

  // A fresh staging directory `tmp/<pid>-<random>`; the caller removes it.
  async makeTmp(): Promise<string> {
    const dir = join(this.paths.tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  // Images of this namespace, by name (dangling ones under their ID), sorted by name.
  async list(): Promise<ImageRecord[]> {
    const images = await readRefs(this.paths, this.namespace);
    return Object.keys(images)
      .sort()
      .map((k) => images[k] as ImageRecord);
  }

  // `busybox`, `docker.io/library/busybox:latest`, `sha256:3f57…` or an ID prefix → the image.
  async resolve(ref: string): Promise<ImageRecord> {
    return findImage(await readRefs(this.paths, this.namespace), ref, this.namespace).record;
  }

  // The image config (Env, Cmd, Entrypoint, WorkingDir, ExposedPorts, User, …) from its blob.
  async config(image: ImageRecord): Promise<ImageConfig> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.paths.blob(image.id));
    } catch (err) {
      throw new NerdnetError('ERR_NOT_FOUND', `config blob ${image.id} of image ${image.name ?? image.id} is missing from ${this.paths.blobsDir}; load the image again`, { cause: err });
    }
    return parseImageConfig(bytes, this.paths.blob(image.id)).config;
  }
}
