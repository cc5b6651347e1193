// The networks the collector looks at: every conflist in the CNI conf dir (top level and namespace
// subdirs), with what the sweep needs from each: its bridge and its host-local lease directory.
import { basename } from 'node:path';
import type { NetworkConfigList } from '../cni/conf.js';
import { allNamespaceConfDirs, hostLocalLeaseDirs, scanVisibleNetworks, scanWarnings } from '../network/store.js';

export interface GcNetwork {
  name: string;
  file: string;
  list: NetworkConfigList;
  // Bridges the network's bridge plugins manage.
  bridges: string[];
  // `<dataDir>/<network>` of each host-local IPAM.
  leaseDirs: string[];
}

export function gcNetworkOf(file: string, list: NetworkConfigList): GcNetwork {
  const bridges = new Set<string>();
  for (const p of list.plugins) if (p.type === 'bridge' && typeof p.raw.bridge === 'string') bridges.add(p.raw.bridge);
  return { name: list.name, file, list, bridges: [...bridges], leaseDirs: hostLocalLeaseDirs(list.name, list.plugins.map((p) => p.raw)) };
}

// The networks of one namespace (top level + `<netconf>/<ns>`) or of every namespace (undefined),
// picked as every other command picks them; broken and shadowed files are noted, not fatal.
export async function gcNetworks(netconf: string, namespace: string | undefined, notes: string[]): Promise<GcNetwork[]> {
  const namespaces = namespace !== undefined ? [namespace] : ['', ...(await allNamespaceConfDirs(netconf)).slice(1).map((d) => basename(d))];
  const out = new Map<string, GcNetwork>();
  for (const ns of namespaces) {
    const scan = await scanVisibleNetworks(netconf, ns);
    for (const w of scanWarnings(scan)) if (!notes.includes(w)) notes.push(w);
    for (const r of scan.records) if (!out.has(r.file)) out.set(r.file, gcNetworkOf(r.file, r.list));
  }
  return [...out.values()];
}
