// Find an image in containerd's image store the way `nerdctl` users name it: a name (`busybox`,
// `busybox:latest`, `docker.io/library/busybox:latest`, containerd's own `overlayfs@sha256:…`), or
// an image ID (config digest, full or a unique hex prefix). Resolving also makes sure the image is
// unpacked in the snapshotter (an image `ctr images import`ed elsewhere may not be).
import { NerdnetError } from '../errors.js';
import type { ImageConfig } from '../image/config.js';
import { normalizeReference, parseReference } from '../image/reference.js';
import type { ContainerdClient } from './client.js';
import { getImage, listImages, type ImageRecord } from './images.js';
import { readImageContent, type ImageContent } from './image-content.js';
import { withLease } from './leases.js';
import { DEFAULT_SNAPSHOTTER, statSnapshot } from './snapshots.js';
import type { Descriptor } from './types.js';
import { chainIDs, unpackImage } from './unpack.js';

export interface ResolvedImage {
  // containerd's image name (`docker.io/library/busybox:latest`).
  name: string;
  // The image record's target (a manifest, or an index).
  target: Descriptor;
  content: ImageContent;
  // Image ID.
  configDigest: string;
  config: ImageConfig;
  // Top committed snapshot of the unpacked image; a container snapshot is prepared on it.
  chainID: string;
  snapshotter: string;
  platform: { os: string; architecture: string; variant?: string };
}

export interface FoundImage {
  record: ImageRecord;
  content: ImageContent;
  by: 'name' | 'id';
}

function notFound(client: ContainerdClient, ref: string): NerdnetError {
  return new NerdnetError('ERR_NOT_FOUND', `image ${JSON.stringify(ref)} not found in containerd namespace ${JSON.stringify(client.namespace)} at ${client.address}`, { remedy: { kind: 'load-image', backend: 'containerd' } });
}

async function byName(client: ContainerdClient, ref: string): Promise<ImageRecord | undefined> {
  const exact = await getImage(client, ref);
  if (exact) return exact;
  let full: string;
  try {
    full = normalizeReference(ref);
  } catch {
    return undefined;
  }
  if (full !== ref) {
    const hit = await getImage(client, full);
    if (hit) return hit;
  }
  // `name@sha256:<manifest>`: the image of that repository whose target is that manifest.
  const parsed = parseReference(ref);
  if (parsed.digest === undefined) return undefined;
  const repo = full.slice(0, full.indexOf('@'));
  return (await listImages(client, [`target.digest==${parsed.digest}`])).find((i) => i.name.startsWith(`${repo}:`) || i.name.startsWith(`${repo}@`));
}

// By image ID: every image's config digest is read; named images win over `<snapshotter>@` ones.
async function byId(client: ContainerdClient, ref: string): Promise<FoundImage[]> {
  const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
  if (!/^[a-f0-9]{1,64}$/.test(hex)) return [];
  const hits: FoundImage[] = [];
  for (const record of await listImages(client)) {
    const content = await readImageContent(client, record.target, record.name).catch(() => undefined);
    if (content?.config.descriptor.digest.slice(7).startsWith(hex)) hits.push({ record, content, by: 'id' });
  }
  const ids = new Set(hits.map((h) => h.content.config.descriptor.digest));
  if (ids.size > 1) throw new NerdnetError('ERR_INVALID_ARG', `image ID prefix ${JSON.stringify(ref)} is ambiguous: it matches ${ids.size} images; give more digits`);
  return hits.sort((a, b) => Number(a.record.name.includes('@')) - Number(b.record.name.includes('@')));
}

// The image `ref` names, with its content read; by name first, then by ID.
export async function findImage(client: ContainerdClient, ref: string): Promise<FoundImage> {
  if (!/^(sha256:)?[a-f0-9]{64}$/.test(ref) && !ref.startsWith('sha256:')) {
    const record = await byName(client, ref);
    if (record) return { record, content: await readImageContent(client, record.target, record.name), by: 'name' };
  }
  const [hit] = await byId(client, ref);
  if (!hit) throw notFound(client, ref);
  return hit;
}

// Every image record whose config is `configDigest` (all names of one image ID).
export async function namesOfImage(client: ContainerdClient, configDigest: string): Promise<string[]> {
  return (await byId(client, configDigest)).map((h) => h.record.name);
}

export async function resolveImage(client: ContainerdClient, ref: string, opts: { snapshotter?: string } = {}): Promise<ResolvedImage> {
  const snapshotter = opts.snapshotter ?? DEFAULT_SNAPSHOTTER;
  const { record, content } = await findImage(client, ref);
  const cfg = content.config.parsed;
  let chainID = chainIDs(cfg.diffIDs).at(-1) ?? '';
  if (chainID !== '' && !(await statSnapshot(client, chainID, { snapshotter }))) {
    chainID = await withLease(client, (lease) => unpackImage(client, content.config.descriptor, content.layers, { snapshotter, lease }));
  }
  return {
    name: record.name,
    target: record.target,
    content,
    configDigest: content.config.descriptor.digest,
    config: cfg,
    chainID,
    snapshotter,
    platform: { os: cfg.os, architecture: cfg.architecture, ...(cfg.variant ? { variant: cfg.variant } : {}) },
  };
}
