// A container's CNI networks as the hook and `run` see them: names or IDs
// resolved against the namespace's networks, the default `bridge` created on first use.
import { NerdnetError } from '../errors.js';
import type { NetworkConfigList } from '../cni/conf.js';
import { ensureDefaultNetwork } from '../network/default-network.js';
import { DEFAULT_NETWORK_NAME, PSEUDO_NETWORKS } from '../network/names.js';
import { networkByNameOrID, readVisibleScan, skippedHint, type NetworkRecord } from '../network/store.js';
import type { NetworkEnv } from '../network/types.js';

export function isCniMode(networks: readonly string[]): boolean {
  return !networks.some((n) => (PSEUDO_NETWORKS as readonly string[]).includes(n) || n.startsWith('container:') || n.startsWith('ns:'));
}

export interface ResolvedNetwork {
  // As the user typed it (recorded in nerdctl/networks and meta.json).
  requested: string;
  record: NetworkRecord;
  list: NetworkConfigList;
}

// Teardown passes createDefault: false: removing a container never creates a network.
export async function resolveNetworks(
  env: NetworkEnv,
  requested: readonly string[],
  opts: { bridgeIP?: string | undefined; createDefault?: boolean } = {},
): Promise<ResolvedNetwork[]> {
  if (requested.length === 0) throw new NerdnetError('ERR_INVALID_ARG', 'no network given: use --network NAME (default "bridge")');
  if (requested.includes(DEFAULT_NETWORK_NAME) && opts.createDefault !== false) await ensureDefaultNetwork(env, { bridgeIP: opts.bridgeIP });
  const scan = await readVisibleScan(env.netconfPath, env.namespace, env.log);
  const records = scan.records;
  const seen = new Set<string>();
  return requested.map((name) => {
    const record = networkByNameOrID(records, name);
    if (!record) {
      throw new NerdnetError('ERR_NOT_FOUND', `no such network: "${name}"${skippedHint(scan)}`, { remedy: { kind: 'create-network', network: name } });
    }
    if (seen.has(record.file)) throw new NerdnetError('ERR_INVALID_ARG', `network "${name}" is given twice: a container joins each network once`);
    seen.add(record.file);
    return { requested: name, record, list: record.list };
  });
}
