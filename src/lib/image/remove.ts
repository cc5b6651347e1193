// `image rm`: untag names, delete an image when its last name goes, then collect garbage.
// Every reference is checked before anything changes, so one bad name removes nothing.
import { NerdnetError } from '../errors.js';
import { findImage, keysOf } from './find.js';
import { collectGarbage, readRootfsRecords, type GcResult } from './gc.js';
import { familiarString, parseReference } from './reference.js';
import { readRefs, writeRefs, type ImageRecord } from './refs.js';
import type { ImageStore } from './store.js';

export interface ImageInUseQuery {
  namespace: string;
  id: string;
  // Full normalised names the image has in this namespace.
  names: string[];
}

export interface RemoveOptions {
  // Remove even when in use, and every name of an image given by ID (Docker's `rmi -f`).
  force?: boolean;
  // The runtime's answer to "which containers use this image?" (IDs or names; empty = none).
  imageInUse?: (image: ImageInUseQuery) => Promise<string[]> | string[];
}

export interface RemoveResult {
  // Familiar names removed (`busybox:latest`); unnamed images appear only in `deleted`.
  untagged: string[];
  // IDs of images that lost their last name and are gone from this namespace.
  deleted: string[];
  gc: GcResult;
}

function label(r: ImageRecord): string {
  return r.name === null ? r.id : familiarString(parseReference(r.name));
}

export async function removeImages(store: ImageStore, refs: string[], opts: RemoveOptions = {}): Promise<RemoveResult> {
  return store.locked(async () => {
    const images = await readRefs(store.paths, store.namespace);
    const records = await readRootfsRecords(store.paths);
    const plan: Array<{ keys: string[]; record: ImageRecord }> = [];
    const removing = new Set<string>();
    for (const ref of refs) {
      const { record, by } = findImage(images, ref, store.namespace);
      const all = keysOf(images, record.id);
      // By ID with several names is ambiguous intent; Docker wants -f for that too.
      if (by === 'id' && all.length > 1 && !opts.force) {
        throw new NerdnetError('ERR_IN_USE', `image ${ref} (${record.id.slice(7, 19)}) has ${all.length} names (${all.join(', ')}); remove them by name or use --force`);
      }
      const keys = by === 'id' ? all : [record.name ?? record.id];
      keys.forEach((k) => removing.add(k));
      plan.push({ keys, record });
    }
    for (const { record } of plan) {
      const last = keysOf(images, record.id).every((k) => removing.has(k));
      if (!last || opts.force) continue;
      const users = [...((await opts.imageInUse?.({ namespace: store.namespace, id: record.id, names: keysOf(images, record.id) })) ?? [])];
      for (const { record: r } of records) if (r.namespace === store.namespace && r.imageId === record.id) users.push(r.containerDir);
      if (users.length > 0) {
        throw new NerdnetError('ERR_IN_USE', `image ${label(record)} (${record.id.slice(7, 19)}) is in use by ${users.length === 1 ? 'container' : 'containers'} ${[...new Set(users)].join(', ')}; remove the container first or use --force`);
      }
    }
    const result: RemoveResult = { untagged: [], deleted: [], gc: { blobs: [], layers: [] } };
    for (const { keys, record } of plan) {
      for (const k of keys) {
        const r = images[k];
        if (!r) continue;
        delete images[k];
        if (r.name !== null) result.untagged.push(label(r));
      }
      if (keysOf(images, record.id).length === 0 && !result.deleted.includes(record.id)) result.deleted.push(record.id);
    }
    await writeRefs(store.paths, store.namespace, images);
    result.gc = await collectGarbage(store.paths);
    return result;
  });
}
