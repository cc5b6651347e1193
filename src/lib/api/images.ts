// Images, the same shape for both backends: nerdnet's own store under the data root (runc) or
// containerd's image store at the address and namespace (containerd). The containerd client is
// imported only when used (gRPC is heavy to load).
import { NerdnetError } from '../errors.js';
import { loadImageArchive, type ArchiveInput } from '../image/load.js';
import type { ImageConfig } from '../image/config.js';
import type { ImageRecord } from '../image/refs.js';
import { removeImages } from '../image/remove.js';
import { ImageStore } from '../image/store.js';
import { tagImage } from '../image/tag.js';
import { pullImage, pullIntoContainerd, type PullOptions, type PulledImage } from '../registry/pull.js';
import { pushImage, type PushOptions, type PushedImage } from '../registry/push.js';
import type { Backend } from '../runtime/types.js';

export interface LoadedImage {
  id: string;
  // Familiar names (`busybox:latest`); empty for an unnamed image.
  names: string[];
}

export interface Images {
  // A docker save / podman save / nerdctl save archive (plain or gzip): a path or a stream.
  load(input: ArchiveInput): Promise<LoadedImage[]>;
  // One record per name (unnamed images under their ID), sorted.
  list(): Promise<ImageRecord[]>;
  remove(refs: readonly string[], opts?: { force?: boolean }): Promise<{ untagged: string[]; deleted: string[] }>;
  // The image `ref` names, and its config.
  inspect(ref: string): Promise<{ record: ImageRecord; config: ImageConfig }>;
  // Pull `ref` from its registry (credentials from Docker's config.json); progress as events.
  pull(ref: string, opts?: PullOptions): Promise<PulledImage>;
  // Push the image named `ref` to the registry the name says; blobs the registry has are skipped.
  push(ref: string, opts?: PushOptions): Promise<PushedImage>;
  // Another name for an image.
  tag(source: string, target: string): Promise<void>;
}

// An opened image store; close() ends containerd's gRPC channel (it would keep the process alive).
export interface ImageBackend extends Images {
  close(): Promise<void>;
}

function storeImages(store: ImageStore): ImageBackend {
  return {
    load: async (input) => (await loadImageArchive(store, input)).map((i) => ({ id: i.id, names: i.names })),
    list: () => store.list(),
    remove: (refs, opts = {}) => removeImages(store, [...refs], { force: opts.force ?? false }),
    inspect: async (ref) => {
      const record = await store.resolve(ref);
      return { record, config: await store.config(record) };
    },
    pull: (ref, opts = {}) => pullImage(store, ref, opts),
    push: (ref, opts = {}) => pushImage(store, ref, opts),
    tag: async (source, target) => void (await tagImage(store, source, target)),
    close: async () => {},
  };
}

async function notYet(what: string): Promise<never> {
  throw new NerdnetError('ERR_INVALID_ARG', `${what} containerd's image store is not supported yet: use the runc backend (load imports archives into containerd)`);
}

async function containerdImages(address: string, namespace: string): Promise<ImageBackend> {
  const cd = await import('../containerd/index.js');
  const client = cd.ContainerdClient.open({ address, namespace });
  return {
    load: async (input) => (await cd.importImageArchive(client, input)).map((i) => ({ id: i.id, names: i.familiarNames })),
    list: () => cd.listImageRecords(client),
    remove: (refs, opts = {}) => cd.removeContainerdImages(client, [...refs], { force: opts.force ?? false }),
    inspect: async (ref) => {
      const found = await cd.findImage(client, ref);
      const id = found.content.config.descriptor.digest;
      const records = await cd.listImageRecords(client);
      const record = records.find((r) => r.id === id && r.name !== null) ?? records.find((r) => r.id === id);
      if (!record) throw new NerdnetError('ERR_NOT_FOUND', `image ${JSON.stringify(ref)} was removed while being inspected; try again`);
      return { record, config: found.content.config.parsed };
    },
    pull: (ref, opts = {}) => pullIntoContainerd((archive) => cd.importImageArchive(client, archive), ref, opts),
    push: () => notYet('pushing from'),
    tag: () => notYet('tagging in'),
    close: async () => client.close(),
  };
}

export async function openImages(s: { backend: Backend; dataRoot: string; address: string; namespace: string }): Promise<ImageBackend> {
  if (s.backend === 'containerd') return containerdImages(s.address, s.namespace);
  return storeImages(await ImageStore.open({ dataRoot: s.dataRoot, namespace: s.namespace }));
}
