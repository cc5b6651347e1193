// containerd's snapshotters: committed snapshots named by chain ID hold unpacked layers; an active
// snapshot prepared on top of one is a container's writable rootfs.
import type { ContainerdClient } from './client.js';
import { isNotFound } from './errors.js';
import type { Mount, Timestamp } from './types.js';

// containerd's default snapshotter on Linux (defaults.DefaultSnapshotter).
export const DEFAULT_SNAPSHOTTER = 'overlayfs';

export interface SnapshotInfo {
  name: string;
  parent: string;
  kind: 'UNKNOWN' | 'VIEW' | 'ACTIVE' | 'COMMITTED';
  labels: Record<string, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface SnapshotOptions {
  snapshotter?: string;
  labels?: Record<string, string>;
  lease?: string;
}

const sn = (o: { snapshotter?: string }) => o.snapshotter ?? DEFAULT_SNAPSHOTTER;

// An active (writable) snapshot on `parent` ("" for an empty one); returns its mounts.
export async function prepareSnapshot(client: ContainerdClient, key: string, parent: string, opts: SnapshotOptions = {}): Promise<Mount[]> {
  const res = await client.unary<{ mounts: Mount[] }>('snapshots', 'Prepare', { snapshotter: sn(opts), key, parent, labels: opts.labels ?? {} }, { lease: opts.lease });
  return res.mounts;
}

export async function snapshotMounts(client: ContainerdClient, key: string, opts: { snapshotter?: string } = {}): Promise<Mount[]> {
  return (await client.unary<{ mounts: Mount[] }>('snapshots', 'Mounts', { snapshotter: sn(opts), key })).mounts;
}

export async function commitSnapshot(client: ContainerdClient, name: string, key: string, opts: SnapshotOptions = {}): Promise<void> {
  await client.unary('snapshots', 'Commit', { snapshotter: sn(opts), name, key, labels: opts.labels ?? {} }, { lease: opts.lease });
}

export async function statSnapshot(client: ContainerdClient, key: string, opts: { snapshotter?: string } = {}): Promise<SnapshotInfo | undefined> {
  try {
    return (await client.unary<{ info: SnapshotInfo }>('snapshots', 'Stat', { snapshotter: sn(opts), key })).info;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

// Removing a snapshot that is not there is not an error.
export async function removeSnapshot(client: ContainerdClient, key: string, opts: { snapshotter?: string } = {}): Promise<void> {
  try {
    await client.unary('snapshots', 'Remove', { snapshotter: sn(opts), key });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export async function snapshotUsage(client: ContainerdClient, key: string, opts: { snapshotter?: string } = {}): Promise<{ size: number; inodes: number }> {
  return client.unary('snapshots', 'Usage', { snapshotter: sn(opts), key });
}

export async function listSnapshots(client: ContainerdClient, opts: { snapshotter?: string; filters?: string[] } = {}): Promise<SnapshotInfo[]> {
  const out: SnapshotInfo[] = [];
  for await (const msg of client.serverStream<{ info: SnapshotInfo[] }>('snapshots', 'List', { snapshotter: sn(opts), filters: opts.filters ?? [] }, { timeoutMs: 60_000 })) out.push(...msg.info);
  return out;
}
