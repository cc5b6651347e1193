// Detaching a container from its networks: CNI DEL of each attachment under the host-wide CNI lock,
// then the iptables rules and masquerade chain a DEL without a netns leaves behind (the bridge
// plugin removes its ipMasq rules only when it can enter the netns). The postStop hook does this;
// `rm` does the same for a stop that never ran the hook (a killed runc, a crash).
import { join } from 'node:path';
import type { CniConfig } from '../cni/api.js';
import { removeNetworks, type NetworkAttachment } from '../cni/attach.js';
import { confListFromBytes } from '../cni/conf.js';
import type { Logger } from '../etc/types.js';
import { cleanupIptables, masqChainName } from '../host/iptables.js';
import type { NetworkEnv } from '../network/types.js';
import { loadPortMappings } from '../ports/store.js';
import { withLock } from '../store/flock.js';
import { networkByNameOrID, readVisibleScan, skippedHint } from '../network/store.js';
import { attachArgs, cniContainerID } from './attach-args.js';
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

// What to DEL: each network of the container found in the conf dir (eth<i> by its place, as ADD
// numbered them); an attachment the cache remembers on a network that is gone or unreadable is DELed
// with the cached config, as libcni's GC does, so a removed or broken conflist never leaks it.
async function delTargets(req: DetachRequest, cid: string): Promise<NetworkAttachment[]> {
  const { ann, log } = req;
  const scan = await readVisibleScan(req.network.netconfPath, req.network.namespace, log);
  const found = ann.networks.map((name, i) => ({ name, ifName: `eth${i}`, record: networkByNameOrID(scan.records, name) }));
  const targets: NetworkAttachment[] = found.flatMap((f) => (f.record ? [{ list: f.record.list, ifName: f.ifName }] : []));
  const cached = (await req.cni.cache.attachments(cid)).filter((a) => !targets.some((t) => t.list.name === a.network && t.ifName === a.ifName));
  for (const a of cached) {
    if (a.config.length === 0) {
      log('warn', `the cached attachment of network "${a.network}" (${a.ifName}) has no config and the network is gone; its plugins cannot be run`);
      continue;
    }
    targets.push({ list: confListFromBytes(a.config, `cached config of ${cid} ${a.ifName}`), ifName: a.ifName });
    log('info', `network "${a.network}" is gone or unreadable; ${a.ifName} is detached with the config cached at attach time`);
  }
  for (const f of found) {
    if (f.record || cached.some((a) => a.ifName === f.ifName)) continue;
    // Nothing cached: nothing is known to be attached, unless the network is in a skipped file.
    if (scan.skipped.length === 0) log('info', `network "${f.name}" is gone and nothing of it is cached for ${f.ifName}: nothing to detach`);
    else log('warn', `no such network: "${f.name}"${skippedHint(scan)}; its plugins cannot be run, so only iptables leftovers and the hosts entry are removed`);
  }
  return targets;
}

export async function detachNetworks(req: DetachRequest): Promise<void> {
  const cid = cniContainerID(req.ann.namespace, req.id);
  const targets = await delTargets(req, cid);
  const { mappings } = await loadPortMappings(req.ann.stateDir);
  // The netns is gone by now; the plugins release addresses and rules without it (spec 6.4).
  const args = attachArgs(req.ann, req.id, '', mappings, 'delete');
  await withLock(cniLockPath(req.network.netconfPath), () => removeNetworks(req.cni, targets, args));
  const report = await cleanupIptables(cid, targets.map((t) => masqChainName(t.list.name, cid)));
  for (const w of report.warnings) req.log('warn', w);
}
