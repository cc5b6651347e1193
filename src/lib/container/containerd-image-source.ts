// ImageSource backed by containerd's image store (the containerd backend): images as `nerdctl load`
// or `ctr images import` left them, rootfs = an active snapshot keyed by the container ID on the
// image's top layer in the snapshotter (as nerdctl makes it), mounted at <stateDir>/rootfs so the
// spec's root path is absolute and the same for both backends. gRPC is loaded on first use.
import { execFile } from 'node:child_process';
import { mkdir, rmdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { NerdnetError } from '../errors.js';
import { isMountPoint, mountsUnder, unmount } from '../image/mounts.js';
import type { ImageSource, ResolvedImage } from './image-source.js';

const run = promisify(execFile);
const SNAPSHOTTER = 'overlayfs';

type Containerd = typeof import('../containerd/index.js');

export class ContainerdImageSource implements ImageSource {
  readonly snapshotter = SNAPSHOTTER;
  private lib: Promise<Containerd> | undefined;
  private clients = new Map<string, import('../containerd/client.js').ContainerdClient>();

  constructor(private readonly address: string) {}

  private async client(ns: string) {
    this.lib ??= import('../containerd/index.js');
    const cd = await this.lib;
    let c = this.clients.get(ns);
    if (!c) {
      c = cd.ContainerdClient.open({ address: this.address, namespace: ns });
      this.clients.set(ns, c);
    }
    return { cd, client: c };
  }

  async resolve(ref: string, ns: string): Promise<ResolvedImage> {
    const { cd, client } = await this.client(ns);
    const image = await cd.resolveImage(client, ref, { snapshotter: SNAPSHOTTER });
    const c = image.config;
    return { name: image.name, id: image.configDigest, config: { env: c.env, cmd: c.cmd, entrypoint: c.entrypoint, workingDir: c.workingDir, user: c.user, exposedPorts: c.exposedPorts } };
  }

  // The snapshot (prepared once, reused at every start) mounted at <containerDir>/rootfs.
  async mountRootfs(image: ResolvedImage, ns: string, containerDir: string): Promise<string> {
    const { cd, client } = await this.client(ns);
    const target = join(containerDir, 'rootfs');
    if (await isMountPoint(target)) return target;
    const key = basename(containerDir);
    let mounts = (await cd.statSnapshot(client, key, { snapshotter: SNAPSHOTTER })) ? await cd.snapshotMounts(client, key, { snapshotter: SNAPSHOTTER }) : undefined;
    if (!mounts) {
      const resolved = await cd.resolveImage(client, image.id, { snapshotter: SNAPSHOTTER });
      mounts = await cd.prepareSnapshot(client, key, resolved.chainID, { snapshotter: SNAPSHOTTER });
    }
    await mkdir(target, { recursive: true, mode: 0o755 });
    for (const m of mounts) {
      const options = m.options.filter((o) => o !== '');
      try {
        await run('mount', ['-t', m.type, ...(options.length > 0 ? ['-o', options.join(',')] : []), m.source, target], { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin:/sbin:/bin` } });
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new NerdnetError('ERR_HOST', `cannot mount snapshot ${key} of image ${image.name} at ${target}: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
      }
    }
    return target;
  }

  // Unmount, then remove the snapshot (missing is fine: rm after a failed create).
  async removeRootfs(containerDir: string): Promise<void> {
    const target = join(containerDir, 'rootfs');
    for (const m of await mountsUnder(target)) await unmount(m.mountPoint);
    await rmdir(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw new NerdnetError('ERR_HOST', `cannot remove ${target}: ${err.message}`, { cause: err });
    });
    const ns = basename(join(containerDir, '..'));
    const { cd, client } = await this.client(ns);
    await cd.removeSnapshot(client, basename(containerDir), { snapshotter: SNAPSHOTTER });
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
  }
}
