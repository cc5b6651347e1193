// Where `image load|ls|rm|inspect` keep images: nerdnet's own store under --data-root (runc backend)
// or containerd's image store at --address/--namespace (containerd backend). One shape for both,
// so image.ts only formats. The containerd client is imported lazily (gRPC is heavy to load).
import type { Command } from 'commander';
import { NerdnetError } from '../../lib/errors.js';
import { ImageStore, loadImageArchive, removeImages, type ArchiveInput, type ImageConfig, type ImageRecord } from '../../lib/image/index.js';
import { pullImage, type PullOptions, type PulledImage } from '../../lib/registry/pull.js';
import { pushImage, type PushOptions, type PushedImage } from '../../lib/registry/push.js';
import { tagImage } from '../../lib/image/tag.js';
import { backendOf, type GlobalFlags } from '../context.js';

export interface LoadedNames {
  id: string;
  // Familiar names (`busybox:latest`); empty for an unnamed image.
  names: string[];
}

export interface CliImages {
  load(input: ArchiveInput): Promise<LoadedNames[]>;
  // Rows by name (unnamed images under their ID), sorted.
  list(): Promise<ImageRecord[]>;
  remove(refs: string[], force: boolean): Promise<{ untagged: string[]; deleted: string[] }>;
  // The image `ref` names, and its config.
  inspect(ref: string): Promise<{ record: ImageRecord; config: ImageConfig }>;
  pull(ref: string, opts: PullOptions): Promise<PulledImage>;
  push(ref: string, opts: PushOptions): Promise<PushedImage>;
  tag(source: string, target: string): Promise<void>;
  close(): void;
}

function storeImages(store: ImageStore): CliImages {
  return {
    load: async (input) => (await loadImageArchive(store, input)).map((i) => ({ id: i.id, names: i.names })),
    list: () => store.list(),
    remove: (refs, force) => removeImages(store, refs, { force }),
    inspect: async (ref) => {
      const record = await store.resolve(ref);
      return { record, config: await store.config(record) };
    },
    pull: (ref, opts) => pullImage(store, ref, opts),
    push: (ref, opts) => pushImage(store, ref, opts),
    tag: async (source, target) => void (await tagImage(store, source, target)),
    close: () => {},
  };
}

async function notWithContainerd(what: string): Promise<never> {
  throw new NerdnetError('ERR_INVALID_ARG', `${what} with --backend containerd is not supported yet: use the runc backend (or nerdnet load for containerd)`);
}

async function containerdImages(flags: GlobalFlags): Promise<CliImages> {
  const cd = await import('../../lib/containerd/index.js');
  const client = cd.ContainerdClient.open({ address: flags.address, namespace: flags.namespace });
  return {
    load: async (input) => (await cd.importImageArchive(client, input)).map((i) => ({ id: i.id, names: i.familiarNames })),
    list: () => cd.listImageRecords(client),
    remove: (refs, force) => cd.removeContainerdImages(client, refs, { force }),
    inspect: async (ref) => {
      const found = await cd.findImage(client, ref);
      const id = found.content.config.descriptor.digest;
      const records = await cd.listImageRecords(client);
      const record = records.find((r) => r.id === id && r.name !== null) ?? records.find((r) => r.id === id);
      if (!record) throw new NerdnetError('ERR_NOT_FOUND', `image ${JSON.stringify(ref)} was removed while being inspected; try again`);
      return { record, config: found.content.config.parsed };
    },
    pull: () => notWithContainerd('pull'),
    push: () => notWithContainerd('push'),
    tag: () => notWithContainerd('tag'),
    close: () => client.close(),
  };
}

export async function imagesFor(cmd: Command): Promise<CliImages> {
  const flags = cmd.optsWithGlobals<GlobalFlags>();
  if (backendOf(cmd) === 'containerd') return containerdImages(flags);
  return storeImages(await ImageStore.open({ dataRoot: flags.dataRoot, namespace: flags.namespace }));
}

// Open, run, close (the gRPC channel must not keep the process alive).
export async function withImages<T>(cmd: Command, fn: (images: CliImages) => Promise<T>): Promise<T> {
  const images = await imagesFor(cmd);
  try {
    return await fn(images);
  } finally {
    images.close();
  }
}
