// The seam to the image store: resolve a reference to an image config, and mount/remove the
// container's overlay rootfs in its state directory (StoreImageSource plugs in src/lib/image).
// `--rootfs DIR` containers need none of it.
import { isAbsolute } from 'node:path';
import { NerdnetError } from '../errors.js';
import { prepareDirRootfs } from '../image/rootfs.js';

// The parts of an image config a container uses.
export interface ImageRuntimeConfig {
  env: string[];
  cmd: string[];
  entrypoint: string[];
  // "" = "/".
  workingDir: string;
  // "" = root.
  user: string;
  // ExposedPorts' keys, `80/tcp`: what --publish-all publishes besides --expose.
  exposedPorts?: string[];
}

export interface ResolvedImage {
  // Name as ps shows it, e.g. "docker.io/library/busybox:latest".
  name: string;
  // "sha256:…" of the image config.
  id: string;
  config: ImageRuntimeConfig;
}

export interface ImageSource {
  // Set when the rootfs is a snapshot of this containerd snapshotter, keyed by the container ID.
  readonly snapshotter?: string;
  // ERR_NOT_FOUND naming the reference when the namespace has no such image.
  resolve(ref: string, ns: string): Promise<ResolvedImage>;
  // Mount the image's layers (plus a writable upper dir) under `containerDir`; returns the rootfs path.
  // Called at create and again at start (after a reboot the mount is gone); must be idempotent.
  mountRootfs(image: ResolvedImage, ns: string, containerDir: string): Promise<string>;
  // rm and rollback: unmount and delete what mountRootfs made (upper dir included); a container dir
  // without one is fine.
  removeRootfs(containerDir: string): Promise<void>;
}

// `--rootfs DIR`: an existing directory, used as is (nerdctl's --rootfs); the image module checks it.
export async function checkRootfsDir(dir: string): Promise<string> {
  if (!isAbsolute(dir)) throw new NerdnetError('ERR_INVALID_ARG', `invalid --rootfs ${JSON.stringify(dir)}: give an absolute path`);
  try {
    return (await prepareDirRootfs(dir)).path;
  } catch (err) {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid --rootfs: ${(err as Error).message}; give a directory holding the container's root filesystem`, { cause: err });
  }
}
