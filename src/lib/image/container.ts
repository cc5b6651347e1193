// The one call a runtime makes per container: image reference (or --rootfs DIR) in, image config
// and a mounted root filesystem out.
import type { ImageConfig } from './config.js';
import type { ImageRecord } from './refs.js';
import { prepareDirRootfs, prepareRootfs, type PreparedRootfs } from './rootfs.js';
import { ImageStore } from './store.js';

export type ContainerRootfsRequest =
  | { dataRoot: string; namespace: string; image: string; containerDir: string }
  // `--rootfs DIR`: no image, no overlay; the config is empty.
  | { rootfsDir: string };

export interface ContainerRootfs {
  image: ImageRecord | null;
  config: ImageConfig | null;
  rootfs: PreparedRootfs;
}

export async function prepareContainerRootfs(req: ContainerRootfsRequest): Promise<ContainerRootfs> {
  if ('rootfsDir' in req) return { image: null, config: null, rootfs: await prepareDirRootfs(req.rootfsDir) };
  const store = await ImageStore.open({ dataRoot: req.dataRoot, namespace: req.namespace });
  const image = await store.resolve(req.image);
  const config = await store.config(image);
  return { image, config, rootfs: await prepareRootfs(store, image, req.containerDir) };
}
