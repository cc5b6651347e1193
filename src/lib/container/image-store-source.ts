// ImageSource backed by nerdnet's image store (src/lib/image): images loaded with `nerdnet load`,
// overlay rootfs at <stateDir>/rootfs. The store is opened on first use, so commands that never
// touch an image (ps, rm of a --rootfs container) do not create it.
import { ImageStore } from '../image/store.js';
import { prepareRootfs, removeRootfs } from '../image/rootfs.js';
import type { ImageSource, ResolvedImage } from './image-source.js';

export class StoreImageSource implements ImageSource {
  private store: Promise<ImageStore> | undefined;

  constructor(private readonly dataRoot: string) {}

  private open(ns: string): Promise<ImageStore> {
    this.store ??= ImageStore.open({ dataRoot: this.dataRoot });
    return this.store.then((s) => s.withNamespace(ns));
  }

  async resolve(ref: string, ns: string): Promise<ResolvedImage> {
    const store = await this.open(ns);
    const image = await store.resolve(ref);
    const c = await store.config(image);
    return { name: image.name ?? image.id, id: image.id, config: { env: c.env, cmd: c.cmd, entrypoint: c.entrypoint, workingDir: c.workingDir, user: c.user, exposedPorts: c.exposedPorts } };
  }

  async mountRootfs(image: ResolvedImage, ns: string, containerDir: string): Promise<string> {
    const store = await this.open(ns);
    return (await prepareRootfs(store, await store.resolve(image.id), containerDir)).path;
  }

  async removeRootfs(containerDir: string): Promise<void> {
    await removeRootfs(await this.open('default'), containerDir);
  }
}
