// What a conflist says about its network, for ls and inspect: driver, IPAM
// config per subnet, internal-ness, driver options, user labels.
import type { JsonObject } from '../cni/conf.js';
import { isPlainObject } from '../cni/result-types.js';
import { tryParseCIDR } from '../ip/index.js';
import { AUX_ADDRESSES_LABEL } from './names.js';
import { pluginsOf, type NetworkRecord } from './store.js';

/** Docker's IPAM.Config entry; empty fields are left out (spec 2.10). */
export interface IpamConfigEntry {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

function mainPlugin(rec: NetworkRecord): JsonObject | undefined {
  return pluginsOf(rec.raw)[0];
}

// bridge/macvlan/ipvlan for nerdctl's networks; the first plugin's type for foreign ones.
export function driverOf(rec: NetworkRecord): string {
  return rec.list.plugins[0]?.type ?? '';
}

function ipamOf(rec: NetworkRecord): JsonObject | undefined {
  const p = pluginsOf(rec.raw).find((pl) => isPlainObject(pl.ipam));
  return p?.ipam as JsonObject | undefined;
}

// Docker names host-local "default" (nerdctl writes the same file for both).
export function ipamDriverOf(rec: NetworkRecord): string {
  const t = ipamOf(rec)?.type;
  if (typeof t !== 'string') return '';
  return t === 'host-local' ? 'default' : t;
}

// User labels: nerdctlLabels minus the hidden aux-address bookkeeping label.
export function visibleLabels(rec: NetworkRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(rec.labels ?? {}).filter(([k]) => k !== AUX_ADDRESSES_LABEL));
}

function auxLabel(rec: NetworkRecord): Record<string, Record<string, string>> {
  try {
    const v: unknown = JSON.parse(rec.labels?.[AUX_ADDRESSES_LABEL] ?? '{}');
    return isPlainObject(v) ? (v as Record<string, Record<string, string>>) : {};
  } catch {
    return {};
  }
}

// One entry per distinct subnet over every plugin's ranges; aux-split ranges collapse to the first.
export function ipamConfigOf(rec: NetworkRecord): IpamConfigEntry[] {
  const out: IpamConfigEntry[] = [];
  const aux = auxLabel(rec);
  for (const p of pluginsOf(rec.raw)) {
    const ipam = p.ipam;
    if (!isPlainObject(ipam) || !Array.isArray(ipam.ranges)) continue;
    for (const set of ipam.ranges) {
      for (const r of Array.isArray(set) ? set : []) {
        if (!isPlainObject(r) || typeof r.subnet !== 'string' || out.some((e) => e.Subnet === r.subnet)) continue;
        const e: IpamConfigEntry = { Subnet: r.subnet };
        if (typeof r.ipRange === 'string' && r.ipRange !== '') e.IPRange = r.ipRange;
        if (typeof r.gateway === 'string' && r.gateway !== '') e.Gateway = r.gateway;
        const a = aux[r.subnet];
        if (a && Object.keys(a).length > 0) e.AuxiliaryAddresses = a;
        out.push(e);
      }
    }
  }
  return out;
}

// nerdctl's --internal drops isGateway on the bridge and the IPAM routes.
export function isInternal(rec: NetworkRecord): boolean {
  const main = mainPlugin(rec);
  if (main?.type === 'bridge' && main.isGateway !== true) return true;
  const ipam = ipamOf(rec);
  return ipam?.type === 'host-local' && ipam.routes === undefined;
}

export function familiesOf(rec: NetworkRecord): { ipv4: boolean; ipv6: boolean } {
  const subnets = ipamConfigOf(rec).map((e) => tryParseCIDR(e.Subnet ?? '')?.network).filter((c) => c !== undefined);
  const ipamType = ipamOf(rec)?.type;
  if (subnets.length === 0) return { ipv4: ipamType !== undefined, ipv6: false };
  return { ipv4: subnets.some((c) => c.family === 4), ipv6: subnets.some((c) => c.family === 6) };
}

// Docker-style driver options reconstructed from the plugin config.
export function optionsOf(rec: NetworkRecord): Record<string, string> {
  const main = mainPlugin(rec);
  const out: Record<string, string> = {};
  if (!main) return out;
  if (main.type === 'bridge') {
    if (typeof main.bridge === 'string') out['com.docker.network.bridge.name'] = main.bridge;
    if (main.isGateway === true && main.ipMasq !== true) out['com.docker.network.bridge.enable_ip_masquerade'] = 'false';
    const fw = pluginsOf(rec.raw).find((p) => p.type === 'firewall');
    if (fw?.ingressPolicy === 'isolated') out['com.docker.network.bridge.enable_icc'] = 'false';
  } else if (main.type === 'macvlan' || main.type === 'ipvlan') {
    if (typeof main.master === 'string' && main.master !== '') out.parent = main.master;
    if (typeof main.mode === 'string' && main.mode !== '') out[`${main.type}_mode`] = main.mode;
  }
  if (typeof main.mtu === 'number' && main.mtu > 0) out['com.docker.network.driver.mtu'] = String(main.mtu);
  return out;
}
