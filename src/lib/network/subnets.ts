// What is already taken, for subnet checks and automatic allocation: the subnets of every conflist
// in every namespace (nerdctl looks only at its own namespace's: two namespaces could get one
// subnet), every host address's network, and (for automatic choices) every host route.
import { cidrOf, tryParseCIDR, tryParseIP, type Cidr } from '../ip/index.js';
import type { JsonObject } from '../cni/conf.js';
import { isPlainObject } from '../cni/result-types.js';
import type { HostAddress, HostRoute } from '../host/host-network.js';
import type { UsedSubnet } from './ipam-host-local.js';
import { pluginsOf, type RawConfig } from './store.js';

function cidrOfText(s: unknown): Cidr | undefined {
  return typeof s === 'string' ? tryParseCIDR(s)?.network : undefined;
}

// Every subnet an IPAM config names: host-local ranges (all of them, not only the first per
// set as nerdctl reads), the legacy top-level subnet, and static addresses.
export function subnetsOfIpam(ipam: unknown): Cidr[] {
  if (!isPlainObject(ipam)) return [];
  const out: Cidr[] = [];
  const add = (c: Cidr | undefined) => {
    if (c && !out.some((o) => o.family === c.family && o.value === c.value && o.prefix === c.prefix)) out.push(c);
  };
  add(cidrOfText(ipam.subnet));
  for (const set of Array.isArray(ipam.ranges) ? ipam.ranges : []) {
    for (const r of Array.isArray(set) ? set : []) if (isPlainObject(r)) add(cidrOfText(r.subnet));
  }
  for (const a of Array.isArray(ipam.addresses) ? ipam.addresses : []) if (isPlainObject(a)) add(cidrOfText(a.address));
  return out;
}

// Subnets of every plugin of a config, whatever its driver (nerdctl counts only bridge + host-local).
export function subnetsOfConfig(raw: JsonObject): Cidr[] {
  return pluginsOf(raw).flatMap((p) => subnetsOfIpam(p.ipam));
}

export function usedByConfigs(configs: readonly RawConfig[]): UsedSubnet[] {
  return configs.flatMap((c) => {
    const name = typeof c.raw.name === 'string' ? c.raw.name : '?';
    return subnetsOfConfig(c.raw).map((cidr) => ({ cidr, source: `network "${name}" (${c.file})` }));
  });
}

// Networks of host addresses, except those on `ownLink` (this network's own bridge, left over
// from an earlier incarnation: nerdctl#1369 refuses to recreate the default network over it).
export function usedByHost(addresses: readonly HostAddress[], ownLink?: string): UsedSubnet[] {
  const out: UsedSubnet[] = [];
  for (const a of addresses) {
    if (ownLink !== undefined && a.ifname === ownLink) continue;
    const ip = tryParseIP(a.address);
    if (!ip) continue;
    out.push({ cidr: cidrOf(ip, a.prefix), source: `the address ${a.address}/${a.prefix} on host interface ${a.ifname}` });
  }
  return out;
}

// IPv4 routes to keep automatic subnets away from. Routes shorter than /8 are default-like
// (a VPN's 0.0.0.0/1 + 128.0.0.0/1) and would leave nothing free, so they do not count.
export function routesToAvoid(routes: readonly HostRoute[], ownLink?: string): Cidr[] {
  const out: Cidr[] = [];
  for (const r of routes) {
    if (r.dst === 'default' || (ownLink !== undefined && r.dev === ownLink)) continue;
    const c = r.dst.includes('/') ? tryParseCIDR(r.dst)?.network : ((ip) => (ip ? cidrOf(ip, ip.family === 4 ? 32 : 128) : undefined))(tryParseIP(r.dst));
    if (c && c.family === 4 && c.prefix >= 8) out.push(c);
  }
  return out;
}
