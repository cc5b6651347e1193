// Detach, the one teardown of network attachments: CNI DEL under the host-wide CNI lock, then what a
// DEL without a netns leaves in iptables (the bridge plugin removes its ipMasq rules only when it
// can enter the netns; portmap its DNAT chain only when given the mappings). postStop and `rm`
// detach a container (detachContainer); the garbage collector and `network rm -f` one cached
// attachment (detachCached). Then releaseContainer takes the container out of the hosts store and
// stops its port reserver.
import type { NetworkAttachment } from '../cni/attach.js';
import { teardownNetworks } from '../cni/attach.js';
import { cachedRuntimeConf, type CachedAttachment } from '../cni/cache.js';
import { confListFromBytes, type NetworkConfigList } from '../cni/conf.js';
import { HostsStore } from '../etc/hosts-store.js';
import { sweepIptables } from '../host/iptables.js';
import type { NetworkEnv } from '../network/types.js';
import { networkByNameOrID, readVisibleScan, skippedHint } from '../network/store.js';
import { loadPortMappings } from '../ports/store.js';
import { releasePortReservation } from '../ports/reserve.js';
import { withLock } from '../store/flock.js';
import type { DataStoreLayout } from '../store/layout.js';
import { attachArgs, cniContainerID } from './args.js';
import { cniLockPath } from './lock.js';
import { reserverPidFile } from './reserver.js';
import type { ContainerNetworking, DetachEnv } from './types.js';

// What to DEL: each network of the container found in the conf dir (eth<i> by its place, as ADD
// numbered them); an attachment the cache remembers on a network that is gone or unreadable is DELed
// with the cached config, as libcni's GC does, so a removed or broken conflist never leaks it.
async function delTargets(env: DetachEnv, network: NetworkEnv, c: ContainerNetworking, cid: string): Promise<NetworkAttachment[]> {
  const { log } = env;
  const scan = await readVisibleScan(network.netconfPath, network.namespace, log);
  const found = c.networks.map((name, i) => ({ name, ifName: `eth${i}`, record: networkByNameOrID(scan.records, name) }));
  const targets: NetworkAttachment[] = found.flatMap((f) => (f.record ? [{ list: f.record.list, ifName: f.ifName }] : []));
  const cached = (await env.cni.cache.attachments(cid)).filter((a) => !targets.some((t) => t.list.name === a.network && t.ifName === a.ifName));
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

// The iptables leftovers alone (an attachment a CNI GC DELed already); returns warnings.
export async function sweepLeftovers(env: DetachEnv, cid: string, networks: readonly string[]): Promise<string[]> {
  return (await sweepIptables(cid, networks, env.iptables)).warnings;
}

// Every network of a container, with the ADD's CNI args and port mappings (the netns is gone by now;
// the plugins release addresses and rules without it).
export async function detachContainer(env: DetachEnv, network: NetworkEnv, c: ContainerNetworking, id: string): Promise<void> {
  const cid = cniContainerID(c.namespace, id);
  const targets = await delTargets(env, network, c, cid);
  const { mappings } = await loadPortMappings(c.stateDir);
  const args = attachArgs(c, id, '', mappings, 'delete');
  await withLock(cniLockPath(env.netconfPath), () => teardownNetworks(env.cni, targets, args));
  for (const w of await sweepLeftovers(env, cid, targets.map((t) => t.list.name))) env.log('warn', w);
}

// One cached attachment, with the CNI args and capability args of its ADD and its cached config
// (or `list`, when the cache holds none); returns warnings. `locked`: the caller holds the CNI lock
// already (a gc sweep).
export async function detachCached(env: DetachEnv, entry: CachedAttachment, opts: { locked?: boolean; list?: NetworkConfigList } = {}): Promise<string[]> {
  const list = opts.list ?? confListFromBytes(entry.config, `cached config of ${entry.containerID} ${entry.ifName}`);
  const del = () => env.cni.delNetworkList(list, cachedRuntimeConf(entry));
  await (opts.locked ? del() : withLock(cniLockPath(env.netconfPath), del));
  return sweepLeftovers(env, entry.containerID, [entry.network]);
}

// After the detach: the container leaves its peers' /etc/hosts (`remove`: its hosts dir goes too,
// as at rm) and its published ports are let go.
export async function releaseContainer(env: { layout: DataStoreLayout; runDir: string; log: DetachEnv['log'] }, ns: string, id: string, opts: { remove?: boolean } = {}): Promise<void> {
  const hosts = new HostsStore({ layout: env.layout, logger: env.log });
  await (opts.remove ? hosts.delete(ns, id) : hosts.release(ns, id));
  await releasePortReservation(reserverPidFile(env.runDir, ns, id)).catch((e: unknown) => env.log('warn', `port reserver: ${(e as Error).message}`));
}
