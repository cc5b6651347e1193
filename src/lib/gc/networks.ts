// The networks the collector looks at: every conflist in the CNI conf dir (top level and namespace
// subdirs), with what the sweep needs from each: its bridge and its host-local lease directory.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkConfigList } from '../cni/conf.js';
import { CONF_EXTENSIONS, confFiles, sortPaths } from '../cni/conf-files.js';
import { allNamespaceConfDirs, recordFromBytes } from '../network/store.js';

// host-local's default dataDir (spec cni 4.3).
export const HOST_LOCAL_DIR = '/var/lib/cni/networks';

export interface GcNetwork {
  name: string;
  file: string;
  list: NetworkConfigList;
  // Bridges the network's bridge plugins manage.
  bridges: string[];
  // `<dataDir>/<network>` of each host-local IPAM.
  leaseDirs: string[];
}

function describe(file: string, list: NetworkConfigList): GcNetwork {
  const bridges = new Set<string>();
  const leaseDirs = new Set<string>();
  for (const p of list.plugins) {
    if (p.type === 'bridge' && typeof p.raw.bridge === 'string') bridges.add(p.raw.bridge);
    const ipam = p.raw.ipam as { type?: unknown; dataDir?: unknown } | undefined;
    if (ipam?.type === 'host-local') leaseDirs.add(join(typeof ipam.dataDir === 'string' && ipam.dataDir ? ipam.dataDir : HOST_LOCAL_DIR, list.name));
  }
  return { name: list.name, file, list, bridges: [...bridges], leaseDirs: [...leaseDirs] };
}

// Conflists of one namespace (top level + `<netconf>/<ns>`) or of all (undefined); broken files are noted, not fatal.
export async function gcNetworks(netconf: string, namespace: string | undefined, notes: string[]): Promise<GcNetwork[]> {
  const dirs = namespace !== undefined ? [netconf, join(netconf, namespace)] : await allNamespaceConfDirs(netconf);
  const out: GcNetwork[] = [];
  for (const dir of dirs) {
    for (const file of sortPaths(await confFiles(dir, CONF_EXTENSIONS))) {
      try {
        const rec = recordFromBytes(file, await readFile(file));
        out.push(describe(file, rec.list));
      } catch (e) {
        notes.push(`network config ${file} skipped: ${(e as Error).message}`);
      }
    }
  }
  return out;
}
