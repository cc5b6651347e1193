// iptables leftovers of one dead container: the rules naming it and its masquerade chain (the
// hook's cleanup), plus portmap's per-container DNAT chain `CNI-DN-<hash>`, which outlives a DEL
// that had no port mappings to work from.
import { createHash } from 'node:crypto';
import { cleanupIptables, masqChainName, type CleanupReport } from '../host/iptables.js';

// libcni utils.MustFormatChainNameWithPrefix(name, id, "DN-"): 28 characters in all.
export function dnatChainName(network: string, containerID: string): string {
  return `CNI-DN-${createHash('sha512').update(network + containerID).digest('hex').slice(0, 21)}`;
}

export function sweepIptables(containerID: string, networks: readonly string[], iptables = 'iptables'): Promise<CleanupReport> {
  return cleanupIptables(containerID, networks.flatMap((n) => [masqChainName(n, containerID), dnatChainName(n, containerID)]), iptables);
}
