// Find the garbage: gather facts (cache, leases, iptables, links, store, run dir), decide which
// containers are live (liveness.ts), and list what belongs to none of them. Nothing is changed here.
import { existsSync } from 'node:fs';
import type { CachedAttachment } from '../cni/cache.js';
import { containerEndpoint } from '../cni/endpoint.js';
import { compareVersions } from '../cni/version.js';
import { Liveness, ownerOfCniID } from './liveness.js';
import { gcNetworks, type GcNetwork } from './networks.js';
import { leaseFacts, orphanVeths, ruleFacts } from './scan-host.js';
import { identityAlive } from '../host/process-identity.js';
import { hostsFacts, journalFacts, mountsUnder, nameFacts, removingFacts, reserverFacts, stateDirFacts, storeNamespaces } from './scan-store.js';
import type { GarbageItem, GcEnv, GcPlan, Owner } from './types.js';

// CNI GC arrived with spec 1.1.0 (Debian's plugins 1.1.1 speak at most 1.0.0).
const GC_MIN_VERSION = '1.1.0';

// `default-1f2e3d4c5b6a`: the CNI ID with a short container ID, as a user recognises it.
export function shortCid(o: Owner): string {
  return `${o.ns}-${o.id.slice(0, 12)}`;
}

function describeAttachment(a: CachedAttachment, o: Owner): string {
  const ep = containerEndpoint(a.result, a.ifName);
  const addrs = [ep.ipv4?.address, ep.ipv6?.address].filter(Boolean).join(', ');
  return `attachment ${shortCid(o)} ${a.ifName} on ${a.network}${addrs ? ` (${addrs})` : ''}: CNI DEL with the cached config`;
}

// CNI GC items for the networks whose plugins support it and that hold garbage (so a second run
// finds nothing); networks without GC support are swept by nerdnet alone.
async function cniGcItems(env: GcEnv, networks: readonly GcNetwork[], cache: readonly CachedAttachment[], keep: (a: CachedAttachment) => boolean, dirty: ReadonlySet<string>, notes: string[]): Promise<GarbageItem[]> {
  const items: GarbageItem[] = [];
  for (const n of networks) {
    if (n.list.disableGC || !dirty.has(n.name)) continue;
    let version: string;
    try {
      version = await env.cni.effectiveVersion(n.list);
    } catch (e) {
      notes.push(`network ${n.name}: cannot tell its CNI version (${(e as Error).message}); swept by nerdnet only`);
      continue;
    }
    if (compareVersions(version, GC_MIN_VERSION) < 0) {
      notes.push(`network ${n.name}: CNI ${version} has no GC (needs ${GC_MIN_VERSION}); swept by nerdnet`);
      continue;
    }
    const valid = cache.filter((a) => a.network === n.name && keep(a)).map((a) => ({ containerID: a.containerID, ifName: a.ifName }));
    items.push({ kind: 'cni-gc', network: n.name, list: n.list, valid, line: `CNI GC of network ${n.name} (CNI ${version}), keeping ${valid.length} attachment(s) in use` });
  }
  return items;
}

export async function findGarbage(env: GcEnv): Promise<GcPlan> {
  const notes: string[] = [];
  const warnings: string[] = [];
  const all = env.allNamespaces === true;
  const wanted = (o: Owner | undefined): o is Owner => o !== undefined && (all || o.ns === env.namespace);
  const networks = await gcNetworks(env.netconfPath, all ? undefined : env.namespace, warnings);

  // Facts.
  const cache = await env.cni.cache.attachments();
  const cachedAll = cache.flatMap((entry) => {
    const owner = ownerOfCniID(entry.containerID);
    return wanted(owner) ? [{ entry, owner }] : [];
  });
  const leases = (await leaseFacts(networks)).filter((l) => wanted(l.owner));
  const namespaces = all ? [...new Set([...(await storeNamespaces(env.layout, env.runDir)), ...cachedAll.map((c) => c.owner.ns)])] : [env.namespace];
  const rules = await ruleFacts(env.iptables);
  warnings.push(...rules.warnings);
  // iptables rules and the cache are host-wide; only what names one of this conf dir's networks is
  // ours to judge (another data root's containers are invisible to the liveness test).
  const known = new Set(networks.map((n) => n.name));
  const ruleOwners = rules.facts.filter((r) => wanted(r.owner) && r.networks.some((n) => known.has(n))).map((r) => ({ ...r, networks: r.networks.filter((n) => known.has(n)) }));
  const veths = await orphanVeths(networks).catch((e: unknown) => {
    warnings.push(`cannot list veths: ${(e as Error).message}`);
    return [];
  });
  const hosts = (await Promise.all(namespaces.map((ns) => hostsFacts(env.layout, ns)))).flat();
  const names = (await Promise.all(namespaces.map((ns) => nameFacts(env.layout, ns)))).flat();
  const states = (await Promise.all(namespaces.map((ns) => stateDirFacts(env.layout, ns)))).flat();
  const reservers = (await Promise.all(namespaces.map((ns) => reserverFacts(env.runDir, ns)))).flat();
  const journals = (await Promise.all(namespaces.map((ns) => journalFacts(env.layout, ns)))).flat();
  const removing = (await Promise.all(namespaces.map((ns) => removingFacts(env.layout, ns)))).flat();
  // A cache entry of a network this conf dir does not have (removed since, or another tool's) is
  // ours only when the container left a trace in this data store.
  const traced = new Set([...hosts, ...names, ...states].map((f) => f.owner.cid));
  const cached = cachedAll.filter((c) => known.has(c.entry.network) || traced.has(c.owner.cid));

  const owners = [...cached.map((c) => c.owner), ...leases.map((l) => l.owner), ...ruleOwners.map((r) => r.owner), ...hosts.map((h) => h.owner), ...names.map((n) => n.owner), ...states.map((s) => s.owner), ...reservers.map((r) => r.owner), ...journals.map((j) => j.owner)];
  const live = await Liveness.build(env, owners, cache);
  const dead = (o: Owner) => !live.isLive(o);

  // Decisions, in release order.
  const dirty = new Set([...cached.filter((c) => dead(c.owner)).map((c) => c.entry.network), ...leases.filter((l) => dead(l.owner)).map((l) => l.network), ...ruleOwners.filter((r) => dead(r.owner)).flatMap((r) => r.networks)]);
  const keep = (a: CachedAttachment) => {
    const o = ownerOfCniID(a.containerID);
    return !wanted(o) || live.isLive(o);
  };
  const items: GarbageItem[] = await cniGcItems(env, networks, cache, keep, dirty, notes);
  const covered = new Set<string>();
  for (const { entry, owner } of cached) {
    if (!dead(owner)) continue;
    covered.add(`${owner.cid}\0${entry.network}`);
    covered.add(owner.cid);
    items.push({ kind: 'attachment', owner, entry, line: describeAttachment(entry, owner) });
  }
  for (const l of leases) {
    if (!dead(l.owner) || covered.has(`${l.owner.cid}\0${l.network}`)) continue;
    items.push({ kind: 'lease', owner: l.owner, network: l.network, file: l.file, line: `lease ${l.address} on ${l.network} of ${shortCid(l.owner)}` });
  }
  for (const r of ruleOwners) {
    if (!dead(r.owner) || covered.has(r.owner.cid)) continue;
    items.push({ kind: 'iptables', owner: r.owner, networks: r.networks, line: `iptables: ${r.rules} rule(s) of ${shortCid(r.owner)}${r.networks.length ? ` on ${r.networks.join(', ')}` : ''} and its CNI-* chains` });
  }
  for (const v of veths) items.push({ kind: 'veth', name: v.name, bridge: v.bridge, line: `veth ${v.name} on ${v.bridge} without a peer namespace` });
  for (const r of reservers) {
    if (dead(r.owner)) items.push({ kind: 'port-reserver', owner: r.owner, pidFile: r.pidFile, line: `port reserver of ${shortCid(r.owner)}${r.pid ? ` (pid ${r.pid}, killed only if it is a reserver)` : ''}` });
  }

  // A container exists while its state dir does, unless that dir is itself the leftover of a killed
  // create: one its journal names (the create's process is gone), or one with a bundle and no record
  // (creates before journals). A dir with neither may be nerdctl's: never touched.
  const strayStates = new Set<string>();
  for (const s of states) {
    if (s.record || !(s.bundle || s.journal) || !dead(s.owner)) continue;
    const mounts = await mountsUnder(s.dir);
    if (mounts.length > 0) {
      warnings.push(`${s.dir}: left by an interrupted create, kept: ${mounts.length} mount(s) under it (${mounts[0]}); unmount, then prune again`);
      continue;
    }
    strayStates.add(s.owner.cid);
  }
  const exists = (o: Owner) => !strayStates.has(o.cid) && existsSync(env.layout.stateDir(o.ns, o.id));
  for (const h of hosts) {
    if (!dead(h.owner)) continue;
    if (!exists(h.owner)) items.push({ kind: 'hosts-dir', owner: h.owner, line: `hosts store entry etchosts/${h.owner.ns}/${h.owner.id.slice(0, 12)} of a removed container` });
    else if (h.meta === 'cni') items.push({ kind: 'hosts-entry', owner: h.owner, line: `hosts record (meta.json) of stopped ${shortCid(h.owner)}: its name leaves its peers' hosts files` });
    else if (h.meta === 'unreadable') warnings.push(`etchosts/${h.owner.ns}/${h.owner.id}/meta.json is unreadable; kept (fix or remove it by hand)`);
  }
  for (const n of names) {
    if (dead(n.owner) && !exists(n.owner)) items.push({ kind: 'name', owner: n.owner, name: n.name, line: `name ${n.name} (namespace ${n.owner.ns}) of removed container ${n.owner.id.slice(0, 12)}` });
  }
  for (const s of states) {
    if (strayStates.has(s.owner.cid)) items.push({ kind: 'state-dir', owner: s.owner, dir: s.dir, line: `state dir containers/${s.owner.ns}/${s.owner.id.slice(0, 12)} of a create that never finished` });
  }
  for (const r of removing) items.push({ kind: 'removed-state', owner: r.owner, dir: r.dir, line: `state dir nerdnet/removing/${r.owner.ns}/${r.owner.id.slice(0, 12)} of an interrupted rm` });
  // A journal goes once its create is over: the state dir is gone (or goes now), or the record was written.
  const recorded = new Set(states.filter((s) => s.record).map((s) => s.owner.cid));
  for (const j of journals) {
    if (!dead(j.owner) || (j.writer && (await identityAlive(j.writer)))) continue;
    if (exists(j.owner) && !recorded.has(j.owner.cid)) continue;
    items.push({ kind: 'create-journal', owner: j.owner, file: j.file, line: `create journal of ${shortCid(j.owner)}${j.writer ? ' (temp file)' : ''}: its create was interrupted` });
  }
  for (const o of new Map(owners.map((x) => [x.cid, x])).values()) {
    const why = live.reason(o);
    if (why) notes.push(`kept ${shortCid(o)}: ${why}`);
  }
  return { items, notes, warnings };
}
