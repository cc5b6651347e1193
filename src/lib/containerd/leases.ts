// Leases: what is written under a lease (content, snapshots) survives garbage collection until the
// lease is deleted, as containerd's client does around an import (client.WithLease, 24 h expiry).
import { randomBytes } from 'node:crypto';
import type { ContainerdClient } from './client.js';
import { isNotFound } from './errors.js';
import { LABELS } from './types.js';

export async function createLease(client: ContainerdClient, opts: { expiresInMs?: number; labels?: Record<string, string> } = {}): Promise<string> {
  const id = `nerdnet-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const expire = new Date(Date.now() + (opts.expiresInMs ?? 24 * 3600_000)).toISOString().replace(/\.\d+Z$/, 'Z');
  await client.unary('leases', 'Create', { id, labels: { [LABELS.gcExpire]: expire, ...opts.labels } });
  return id;
}

// `sync` waits for the garbage collection the deletion triggers.
export async function deleteLease(client: ContainerdClient, id: string, opts: { sync?: boolean } = {}): Promise<void> {
  try {
    await client.unary('leases', 'Delete', { id, sync: opts.sync ?? false });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

// Run `fn` holding a fresh lease; the lease is deleted afterwards, whatever happens. After a failure
// the deletion waits for containerd's garbage collection, so what `fn` wrote is gone when the error
// reaches the user (an asynchronous collection can lag by many seconds on a busy host).
export async function withLease<T>(client: ContainerdClient, fn: (lease: string) => Promise<T>): Promise<T> {
  const lease = await createLease(client);
  let failed = true;
  try {
    const result = await fn(lease);
    failed = false;
    return result;
  } finally {
    await deleteLease(client, lease, { sync: failed }).catch(() => {});
  }
}

export async function listLeases(client: ContainerdClient): Promise<Array<{ id: string; labels: Record<string, string> }>> {
  return (await client.unary<{ leases: Array<{ id: string; labels: Record<string, string> }> }>('leases', 'List', {})).leases;
}
