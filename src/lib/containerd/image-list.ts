// `image ls` and `image rm` against containerd's image store, in the shapes the runc backend's
// store uses (ImageRecord rows, untagged/deleted), so the CLI prints both the same way.
import { NerdnetError } from '../errors.js';
import { familiarString, parseReference } from '../image/reference.js';
import type { ImageRecord as StoreImageRecord } from '../image/refs.js';
import { MEDIA } from '../image/schema.js';
import type { ContainerdClient } from './client.js';
import { isNotFound } from './errors.js';
import { deleteImage, listImages } from './images.js';
import { findImage, namesOfImage } from './image-resolve.js';
import { readImageContent, type ImageContent } from './image-content.js';
import { DEFAULT_SNAPSHOTTER, snapshotUsage } from './snapshots.js';
import { fromTimestamp } from './types.js';
import { chainIDs } from './unpack.js';

// Unpacked size as nerdctl shows it: the snapshots' usage; blob sizes when not unpacked.
async function sizeOf(client: ContainerdClient, content: ImageContent, snapshotter: string): Promise<number> {
  let total = 0;
  const chain = chainIDs(content.layers.map((l) => l.diffID));
  for (const [i, id] of chain.entries()) {
    const usage = await snapshotUsage(client, id, { snapshotter }).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    total += usage?.size ?? content.layers[i]?.blob.size ?? 0;
  }
  return total;
}

// `<snapshotter>@sha256:…` names (unnamed images) are listed as `<none>`.
function displayName(name: string): string | null {
  return /^[^/:]+@sha256:[a-f0-9]{64}$/.test(name) ? null : name;
}

export async function listImageRecords(client: ContainerdClient, opts: { snapshotter?: string } = {}): Promise<StoreImageRecord[]> {
  const snapshotter = opts.snapshotter ?? DEFAULT_SNAPSHOTTER;
  const out: StoreImageRecord[] = [];
  for (const img of await listImages(client)) {
    // An image whose content is gone or foreign (another platform only) is skipped, as nerdctl does.
    const content = await readImageContent(client, img.target, img.name).catch(() => undefined);
    if (!content) continue;
    const cfg = content.config.parsed;
    out.push({
      name: displayName(img.name),
      id: content.config.descriptor.digest,
      manifestDigest: content.manifest.digest,
      diffIDs: cfg.diffIDs,
      size: await sizeOf(client, content, snapshotter),
      created: cfg.created,
      os: cfg.os,
      architecture: cfg.architecture,
      format: content.manifest.mediaType === MEDIA.dockerManifest ? 'docker-archive' : 'oci-archive',
      loadedAt: (fromTimestamp(img.createdAt) ?? new Date(0)).toISOString(),
    });
  }
  return out.sort((a, b) => ((a.name ?? a.id) < (b.name ?? b.id) ? -1 : 1));
}

export interface ContainerdRemoveResult {
  untagged: string[];
  deleted: string[];
}

function familiar(name: string): string {
  return displayName(name) === null ? name : familiarString(parseReference(name));
}

// IDs of containers in this namespace made from any of `names`.
async function containersUsing(client: ContainerdClient, names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const n of names) {
    const res = await client.unary<{ containers: Array<{ id: string }> }>('containers', 'List', { filters: [`image==${n}`] });
    ids.push(...res.containers.map((c) => c.id));
  }
  return [...new Set(ids)];
}

// Untag names; an image whose last name goes is deleted and containerd's GC frees its content and
// snapshots. Every reference is checked before anything is deleted.
export async function removeImages(client: ContainerdClient, refs: string[], opts: { force?: boolean } = {}): Promise<ContainerdRemoveResult> {
  const plan: Array<{ id: string; names: string[]; all: string[] }> = [];
  for (const ref of refs) {
    const { record, content, by } = await findImage(client, ref);
    const id = content.config.descriptor.digest;
    const all = await namesOfImage(client, id);
    if (by === 'id' && all.length > 1 && !opts.force) {
      throw new NerdnetError('ERR_IN_USE', `image ${ref} (${id.slice(7, 19)}) has ${all.length} names (${all.map(familiar).join(', ')}); remove them by name or use --force`);
    }
    plan.push({ id, names: by === 'id' ? all : [record.name], all });
  }
  const removing = new Set(plan.flatMap((p) => p.names));
  if (!opts.force) {
    for (const p of plan) {
      if (!p.all.every((n) => removing.has(n))) continue;
      const users = await containersUsing(client, p.all);
      if (users.length > 0) {
        throw new NerdnetError('ERR_IN_USE', `image ${familiar(p.names[0] as string)} (${p.id.slice(7, 19)}) is in use by ${users.length === 1 ? 'container' : 'containers'} ${users.join(', ')}; remove the container first or use --force`);
      }
    }
  }
  const result: ContainerdRemoveResult = { untagged: [], deleted: [] };
  const done = new Set<string>();
  for (const p of plan) {
    for (const n of p.names) {
      if (done.has(n)) continue;
      done.add(n);
      // The last name of an image: wait for the GC, so its space is free when rm returns.
      const last = p.all.every((x) => done.has(x));
      await deleteImage(client, n, { sync: last }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      if (displayName(n) !== null) result.untagged.push(familiar(n));
    }
    if (p.all.every((x) => done.has(x)) && !result.deleted.includes(p.id)) result.deleted.push(p.id);
  }
  return result;
}
