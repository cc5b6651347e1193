// Multi-network attach (go-cni's Setup/Remove/Check): one interface per network,
// `eth0..N`, networks added in parallel; unlike go-cni a partial failure rolls back what was made.
import { NerdnetError, wrapError } from '../errors.js';
import type { CniConfig, OpOptions } from './api.js';
import type { RuntimeConf } from './cache.js';
import type { JsonObject, NetworkConfigList } from './conf.js';
import { convertResult, type Result100 } from './result.js';

export interface NetworkAttachment {
  list: NetworkConfigList;
  ifName: string;
}

// The loopback network go-cni's WithLoNetwork adds (ifname `lo`).
export const LOOPBACK_CONFLIST = '{"cniVersion":"0.3.1","name":"cni-loopback","plugins":[{"type":"loopback"}]}';

// Interface names for networks in order: `<prefix>0`, `<prefix>1`, ...
export function assignInterfaces(lists: readonly NetworkConfigList[], prefix = 'eth'): NetworkAttachment[] {
  return lists.map((list, i) => ({ list, ifName: `${prefix}${i}` }));
}

export interface AttachArgs {
  containerID: string;
  netns: string;
  // CNI_ARGS pairs for every network (e.g. IP, MAC, IgnoreUnknown).
  args?: Array<[string, string]>;
  // Capability args for every network (portMappings, ips, mac, ...).
  capabilityArgs?: JsonObject;
}

export interface IPConfig {
  ip: string;
  gateway?: string;
}

export interface InterfaceConfig {
  ipConfigs: IPConfig[];
  mac?: string;
  sandbox?: string;
  pciID?: string;
  socketPath?: string;
}

// go-cni's Result: interfaces by name, one DNS entry per network, all routes, raw per-network results.
export interface AttachResult {
  interfaces: Record<string, InterfaceConfig>;
  dns: JsonObject[];
  routes: JsonObject[];
  raw: Result100[];
}

function runtimeConf(a: NetworkAttachment, args: AttachArgs): RuntimeConf {
  const rt: RuntimeConf = { containerID: args.containerID, netns: args.netns, ifName: a.ifName };
  if (args.args) rt.args = args.args;
  if (args.capabilityArgs) rt.capabilityArgs = args.capabilityArgs;
  return rt;
}

// go-cni result.go, with the interface index bound fixed (index must be < number of interfaces).
export function buildAttachResult(results: Result100[], defaultIf = 'eth0'): AttachResult {
  const out: AttachResult = { interfaces: { [defaultIf]: { ipConfigs: [] } }, dns: [], routes: [], raw: results };
  for (const r of results) {
    for (const intf of r.interfaces ?? []) {
      const cfg: InterfaceConfig = { ipConfigs: [] };
      if (intf.mac) cfg.mac = intf.mac;
      if (intf.sandbox) cfg.sandbox = intf.sandbox;
      if (intf.pciID) cfg.pciID = intf.pciID;
      if (intf.socketPath) cfg.socketPath = intf.socketPath;
      out.interfaces[intf.name] = cfg;
    }
    for (const ip of r.ips ?? []) {
      const n = r.interfaces?.length ?? 0;
      let name = defaultIf;
      if (ip.interface !== undefined) {
        const intf = r.interfaces?.[ip.interface];
        if (ip.interface < 0 || ip.interface >= n || !intf) {
          throw new NerdnetError('ERR_PLUGIN_FAILED', `invalid interface config: interface index ${ip.interface} out of range (${n} interfaces): invalid result`);
        }
        name = intf.name;
      }
      const entry: IPConfig = { ip: ip.address.split('/')[0] ?? ip.address };
      if (ip.gateway) entry.gateway = ip.gateway;
      (out.interfaces[name] ??= { ipConfigs: [] }).ipConfigs.push(entry);
    }
    out.dns.push({ ...(r.dns ?? {}) });
    for (const route of r.routes ?? []) out.routes.push({ ...route });
  }
  return out;
}

// Attach every network; on any failure, DEL all of them (including the one that failed: every
// ADD must be followed by a DEL) with fresh options, then report the first error.
export async function setupNetworks(cni: CniConfig, nets: readonly NetworkAttachment[], args: AttachArgs, o: OpOptions = {}): Promise<AttachResult> {
  const settled = await Promise.allSettled(nets.map((n) => cni.addNetworkList(n.list, runtimeConf(n, args), o)));
  const failed = settled.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) {
    const reason = (settled[failed] as PromiseRejectedResult).reason as unknown;
    const rollback = await teardownNetworks(cni, nets, args).then(
      () => '',
      (e: unknown) => `; rolling back also failed: ${(e as Error).message}`,
    );
    throw wrapError(`failed to attach network "${nets[failed]?.list.name}" as ${nets[failed]?.ifName}${rollback}`, reason);
  }
  const results = settled.map((s) => {
    if (s.status !== 'fulfilled') throw new NerdnetError('ERR_INTERNAL', 'unreachable: a rejected attach was not reported');
    return convertResult(s.value, '1.1.0');
  });
  return buildAttachResult(results, nets.find((n) => n.ifName !== 'lo')?.ifName ?? 'eth0');
}

// DEL every network in reverse order; keep going on errors so nothing is left that could go.
export async function teardownNetworks(cni: CniConfig, nets: readonly NetworkAttachment[], args: AttachArgs, o: OpOptions = {}): Promise<void> {
  const errors: string[] = [];
  for (const n of [...nets].reverse()) {
    try {
      await cni.delNetworkList(n.list, runtimeConf(n, args), o);
    } catch (e) {
      errors.push(`${n.list.name} (${n.ifName}): ${(e as Error).message}`);
    }
  }
  if (errors.length > 0) throw new NerdnetError('ERR_PLUGIN_FAILED', `failed to remove networks: ${errors.join('; ')}`);
}

// CHECK every network in order; lists below 0.4.0 (like the loopback list) are skipped.
export async function checkNetworks(cni: CniConfig, nets: readonly NetworkAttachment[], args: AttachArgs, o: OpOptions = {}): Promise<void> {
  for (const n of nets) {
    try {
      await cni.checkNetworkList(n.list, runtimeConf(n, args), o);
    } catch (e) {
      if (NerdnetError.is(e) && e.code === 'ERR_CHECK_NOT_SUPPORTED') continue;
      throw wrapError(`network "${n.list.name}" (${n.ifName}) failed CHECK`, e);
    }
  }
}
