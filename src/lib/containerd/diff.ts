// containerd's diff service: apply a layer blob from the content store onto snapshot mounts (the
// daemon mounts them itself); returns the digest of the uncompressed tar it applied (the diff ID).
import type { ContainerdClient } from './client.js';
import type { Descriptor, Mount } from './types.js';

export async function applyLayer(client: ContainerdClient, layer: Descriptor, mounts: Mount[], opts: { lease?: string; timeoutMs?: number } = {}): Promise<Descriptor> {
  const res = await client.unary<{ applied: Descriptor }>('diff', 'Apply', { diff: layer, mounts, payloads: {} }, { lease: opts.lease, timeoutMs: opts.timeoutMs ?? 10 * 60_000 });
  return res.applied;
}
