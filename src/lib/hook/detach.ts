// Detaching a container from its networks: CNI DEL of each attachment under the host-wide CNI lock,
// then the iptables rules and masquerade chain a DEL without a netns leaves behind (the bridge
// plugin removes its ipMasq rules only when it can enter the netns). The postStop hook does this;
// `rm` does the same for a stop that never ran the hook (a killed runc, a crash).
import { join } from 'node:path';
import type { CniConfig } from '../cni/api.js';
import { removeNetworks } from '../cni/attach.js';
import type { Logger } from '../etc/types.js';
import { cleanupIptables, masqChainName } from '../host/iptables.js';
import type { NetworkEnv } from '../network/types.js';
import { loadPortMappings } from '../ports/store.js';
import { withLock } from '../store/flock.js';
import { attachArgs, attachmentsOf, cniContainerID } from './attach-args.js';
import { resolveNetworks, type ResolvedNetwork } from './networks.js';
import type { HookAnnotations } from './state.js';

// nerdctl serialises every hook's CNI work host-wide on this lock (PR #3522); we hold it only
// around plugin calls. The garbage collector (src/lib/gc) takes it too, so a sweep never races a
// hook's ADD or DEL.
export function cniLockPath(netconfPath: string): string {
  return join(netconfPath, '.cni-concurrency.lock');
}

export interface DetachRequest {
  cni: CniConfig;
  // The container's namespace.
  network: NetworkEnv;
  ann: HookAnnotations;
  // The container's 64-hex ID.
  id: string;
  log: Logger;
}

// DEL may meet networks already gone (a `network rm` after the container stopped): not an error.
function tolerable(e: unknown): boolean {
  return /not found|no such network/i.test((e as Error).message);
}

export async function detachNetworks(req: DetachRequest): Promise<void> {
  const { ann, log } = req;
  let networks: ResolvedNetwork[];
  try {
    networks = await resolveNetworks(req.network, ann.networks, { createDefault: false });
  } catch (e) {
    if (!tolerable(e)) throw e;
    log('warn', `${(e as Error).message}; its plugins cannot be run, so only iptables leftovers and the hosts entry are removed`);
    networks = [];
  }
  const { mappings } = await loadPortMappings(ann.stateDir);
  // The netns is gone by now; the plugins release addresses and rules without it (spec 6.4).
  const args = attachArgs(ann, req.id, '', mappings, 'delete');
  await withLock(cniLockPath(req.network.netconfPath), () => removeNetworks(req.cni, attachmentsOf(networks), args));
  const cid = cniContainerID(ann.namespace, req.id);
  const report = await cleanupIptables(cid, networks.map((n) => masqChainName(n.list.name, cid)));
  for (const w of report.warnings) log('warn', w);
}
