// Release a plan: under the host-wide CNI lock (no hook ADDs or DELs meanwhile), re-check that each
// item's container is still dead, then undo the item. One failure never stops the others.
import { rm, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { confListFromBytes, type NetworkConfigList } from '../cni/conf.js';
import { HostsStore } from '../etc/hosts-store.js';
import { NameStore } from '../etc/name-store.js';
import { detachCached, sweepLeftovers } from '../attachment/detach.js';
import { cniLockPath } from '../attachment/lock.js';
import { runIp } from '../host/ip-command.js';
import { releasePortReservation } from '../ports/reserve.js';
import { withLock } from '../store/flock.js';
import { sweepIptables } from '../host/iptables.js';
import { Liveness, ownerOfCniID } from './liveness.js';
import { gcNetworkOf, gcNetworks } from './networks.js';
import { leaseFacts } from './scan-host.js';
import { mountsUnder } from './scan-store.js';
import { RELEASE_ORDER, type GarbageItem, type GcEnv, type GcPlan, type GcReport, type Owner, type ReleasedItem } from './types.js';

function ownerOfItem(item: GarbageItem): Owner | undefined {
  return 'owner' in item ? item.owner : undefined;
}

// The list to DEL with: the cached config (what ADD used), else the network's current conflist.
async function listForDel(env: GcEnv, item: Extract<GarbageItem, { kind: 'attachment' }>): Promise<NetworkConfigList> {
  if (item.entry.config.length > 0) return confListFromBytes(item.entry.config, `cached config of ${item.entry.containerID}`);
  const found = (await gcNetworks(env.netconfPath, item.owner.ns, [])).find((n) => n.name === item.entry.network);
  if (!found) throw new Error(`the cache entry has no config and network ${item.entry.network} no longer exists; remove ${env.cni.cache.filePath(item.entry.network, item.entry.containerID, item.entry.ifName)} by hand`);
  return found.list;
}

// The network's cached attachments that are live or not ours to judge (another namespace, another runtime).
async function validAttachments(env: GcEnv, network: string): Promise<Array<{ containerID: string; ifName: string }>> {
  const cache = await env.cni.cache.attachments();
  const entries = cache.filter((a) => a.network === network);
  const owners = entries.map((a) => ownerOfCniID(a.containerID)).filter((o): o is Owner => o !== undefined);
  const live = await Liveness.build(env, owners, cache);
  return entries
    .filter((a) => {
      const o = ownerOfCniID(a.containerID);
      return !o || (!env.allNamespaces && o.ns !== env.namespace) || live.isLive(o);
    })
    .map((a) => ({ containerID: a.containerID, ifName: a.ifName }));
}

// Under host-local's own lock (a flock on `<dir>/lock`), and only if the lease still names the container.
async function releaseLease(file: string, cid: string): Promise<boolean> {
  return withLock(join(dirname(file), 'lock'), async () => {
    const text = await readFile(file, 'utf8').catch(() => '');
    if ((text.split(/\r?\n/)[0]?.trim() ?? '') !== cid) return false;
    await rm(file, { force: true });
    return true;
  });
}

async function warnAll(env: GcEnv, warnings: readonly string[]): Promise<void> {
  for (const w of warnings) env.log('warn', w);
}

async function releaseOne(env: GcEnv, item: GarbageItem): Promise<string | undefined> {
  switch (item.kind) {
    case 'cni-gc':
      // GC DELs every cached attachment not named valid: name them again now, under the lock, so a
      // container started since the plan keeps its network.
      await env.cni.gcNetworkList(item.list, { validAttachments: await validAttachments(env, item.network) });
      return undefined;
    case 'attachment': {
      const { entry, owner } = item;
      let list: NetworkConfigList | undefined;
      const detachEnv = { cni: env.cni, netconfPath: env.netconfPath, log: env.log, ...(env.iptables ? { iptables: env.iptables } : {}) };
      // CNI GC of the same network may have DELed it already: then only the leftovers go.
      if (await env.cni.cache.read(entry.network, entry.containerID, entry.ifName)) {
        list = await listForDel(env, item);
        await warnAll(env, await detachCached(detachEnv, entry, { locked: true, list }));
      } else await warnAll(env, await sweepLeftovers(detachEnv, owner.cid, [entry.network]));
      // A plugin whose DEL kept the address (or failed quietly) must not leave it taken; a removed
      // network's lease dir is known from the cached config.
      const network = (await gcNetworks(env.netconfPath, owner.ns, [])).find((n) => n.name === entry.network) ?? (list ? gcNetworkOf('', list) : undefined);
      for (const l of (await leaseFacts(network ? [network] : [])).filter((f) => f.owner.cid === owner.cid)) await releaseLease(l.file, owner.cid);
      return undefined;
    }
    case 'lease':
      return (await releaseLease(item.file, item.owner.cid)) ? undefined : 'the lease changed hands meanwhile';
    case 'iptables':
      await warnAll(env, (await sweepIptables(item.owner.cid, item.networks, env.iptables)).warnings);
      return undefined;
    case 'veth': {
      const r = await runIp(['link', 'delete', item.name]);
      if (r.code !== 0 && !/cannot find device/i.test(r.stderr)) throw new Error(`ip link delete ${item.name}: ${r.stderr.trim()}`);
      return undefined;
    }
    case 'port-reserver':
      await releasePortReservation(item.pidFile);
      return undefined;
    case 'hosts-entry':
      await new HostsStore({ layout: env.layout, logger: env.log }).release(item.owner.ns, item.owner.id);
      return undefined;
    case 'hosts-dir':
      await new HostsStore({ layout: env.layout, logger: env.log }).delete(item.owner.ns, item.owner.id);
      return undefined;
    case 'name':
      await new NameStore({ layout: env.layout }).release(item.owner.ns, item.name, item.owner.id);
      return undefined;
    case 'state-dir': {
      if (await stat(join(item.dir, 'nerdnet.json')).then(() => true, () => false)) return 'its create finished meanwhile';
      if ((await mountsUnder(item.dir)).length > 0) return 'something is mounted under it';
      await rm(item.dir, { recursive: true, force: true });
      return undefined;
    }
    case 'removed-state':
      if ((await mountsUnder(item.dir)).length > 0) return 'something is mounted under it';
      await rm(item.dir, { recursive: true, force: true });
      return undefined;
    case 'create-journal': {
      const dir = env.layout.stateDir(item.owner.ns, item.owner.id);
      const stateLeft = await stat(dir).then(() => true, () => false);
      if (stateLeft && !(await stat(join(dir, 'nerdnet.json')).then(() => true, () => false))) return 'its state dir is still there';
      await rm(item.file, { force: true });
      return undefined;
    }
  }
}

export async function releaseGarbage(env: GcEnv, plan: GcPlan, onResult: (r: ReleasedItem) => void = () => {}): Promise<GcReport> {
  const ordered = [...plan.items].sort((a, b) => RELEASE_ORDER.indexOf(a.kind) - RELEASE_ORDER.indexOf(b.kind));
  const results: ReleasedItem[] = [];
  await withLock(cniLockPath(env.netconfPath), async () => {
    // Things may have started since the plan was made: ask again, under the lock.
    const owners = ordered.map(ownerOfItem).filter((o): o is Owner => o !== undefined);
    const live = await Liveness.build(env, owners, await env.cni.cache.attachments());
    for (const item of ordered) {
      const owner = ownerOfItem(item);
      let result: ReleasedItem;
      const why = owner ? live.reason(owner) : undefined;
      if (why) result = { item, outcome: 'kept', detail: `now in use: ${why}` };
      else {
        try {
          const kept = await releaseOne(env, item);
          result = kept ? { item, outcome: 'kept', detail: kept } : { item, outcome: 'released' };
        } catch (e) {
          result = { item, outcome: 'failed', detail: (e as Error).message };
        }
      }
      results.push(result);
      onResult(result);
    }
  });
  return { results, released: results.filter((r) => r.outcome === 'released').length, failed: results.filter((r) => r.outcome === 'failed').length };
}
