// containerd's image records: a name, labels and the target descriptor (a manifest or an index).
import type { ContainerdClient } from './client.js';
import { isAlreadyExists, isNotFound } from './errors.js';
import type { Descriptor, Timestamp } from './types.js';

export interface ImageRecord {
  name: string;
  labels: Record<string, string>;
  target: Descriptor;
  createdAt?: Timestamp;
  updatedAt?: Timestamp;
}

export async function getImage(client: ContainerdClient, name: string): Promise<ImageRecord | undefined> {
  try {
    return (await client.unary<{ image: ImageRecord }>('images', 'Get', { name })).image;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

// `filters` in containerd's syntax (`name==docker.io/library/busybox:latest`, `target.digest==…`).
export async function listImages(client: ContainerdClient, filters: string[] = []): Promise<ImageRecord[]> {
  return (await client.unary<{ images: ImageRecord[] }>('images', 'List', { filters })).images;
}

// Create, or point an existing name at the new target (what `ctr images import` does).
export async function putImage(client: ContainerdClient, image: Omit<ImageRecord, 'createdAt' | 'updatedAt'>, opts: { lease?: string } = {}): Promise<ImageRecord> {
  try {
    return (await client.unary<{ image: ImageRecord }>('images', 'Create', { image }, opts)).image;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return (await client.unary<{ image: ImageRecord }>('images', 'Update', { image, updateMask: { paths: ['target', 'labels'] } }, opts)).image;
  }
}

// `sync` waits for the garbage collection that frees the image's content and snapshots.
export async function deleteImage(client: ContainerdClient, name: string, opts: { sync?: boolean } = {}): Promise<void> {
  await client.unary('images', 'Delete', { name, sync: opts.sync ?? false });
}
