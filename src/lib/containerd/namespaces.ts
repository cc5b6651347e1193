// containerd namespaces (created implicitly by the first object made in one).
import type { ContainerdClient } from './client.js';

export interface Namespace {
  name: string;
  labels: Record<string, string>;
}

export async function listNamespaces(client: ContainerdClient): Promise<Namespace[]> {
  const res = await client.unary<{ namespaces: Namespace[] }>('namespaces', 'List', {});
  return res.namespaces;
}
