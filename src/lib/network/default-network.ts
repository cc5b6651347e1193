// The default network `bridge`: nerdctl0, 10.4.0.0/24 (or --bridge-ip), labelled
// nerdctl/default-network=true, at the top level; created lazily by whoever needs it first.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError, wrapError } from '../errors.js';
import { formatCIDR, formatIP, hasHostBits, tryParseCIDR, cidrParseError } from '../ip/index.js';
import { applyPlan, checkPluginsInstalled, planUnderLock, withConfLock } from './create.js';
import { detectFirewallVersion } from './firewall.js';
import { DEFAULT_NETWORK_NAME, conflistFileName } from './names.js';
import { readVisibleNetworks, recordFromBytes, scanVisibleNetworks, type NetworkRecord } from './store.js';
import type { NetworkCreateRequest, NetworkEnv } from './types.js';

export const DEFAULT_SUBNET = '10.4.0.0/24';

export interface DefaultNetworkOptions {
  // `--bridge-ip A.B.C.D/N`: gateway A.B.C.D, subnet its network; only used when creating.
  bridgeIP?: string | undefined;
}

export interface DefaultNetwork {
  network: NetworkRecord;
  created: boolean;
  warnings: string[];
}

// The network named `bridge`. nerdctl's GetDefaultNetworkConfig prefers any network labelled
// nerdctl/default-network, which containers asking for `bridge` then could not find.
export function findDefaultNetwork(records: readonly NetworkRecord[]): NetworkRecord | undefined {
  return records.find((r) => r.name === DEFAULT_NETWORK_NAME);
}

// The create request for the default network (the plan adds its label); `--bridge-ip` replaces subnet and gateway.
export function defaultNetworkRequest(bridgeIP?: string): NetworkCreateRequest {
  const req: NetworkCreateRequest = { name: DEFAULT_NETWORK_NAME, subnets: [DEFAULT_SUBNET] };
  if (bridgeIP === undefined || bridgeIP === '') return req;
  const p = tryParseCIDR(bridgeIP);
  if (!p) throw new NerdnetError('ERR_INVALID_ARG', `invalid bridge ip ${bridgeIP}: ${cidrParseError(bridgeIP)}; give the bridge's address with its prefix, e.g. 10.1.100.1/24`);
  if (!hasHostBits(p)) {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid bridge ip ${bridgeIP}: that is the subnet's network address; give the bridge's own address, e.g. ${formatIP({ ...p.ip, value: p.ip.value + 1n })}/${p.network.prefix}`);
  }
  return { ...req, subnets: [formatCIDR(p.network)], gateways: [formatIP(p.ip)] };
}

// Return the default network, creating it under the exclusive lock if nobody has yet.
export async function ensureDefaultNetwork(env: NetworkEnv, opts: DefaultNetworkOptions = {}): Promise<DefaultNetwork> {
  const req = defaultNetworkRequest(opts.bridgeIP);
  const seen = findDefaultNetwork(await withConfLock(env, () => readVisibleNetworks(env.netconfPath, env.namespace, env.log), true));
  if (seen) return { network: seen, created: false, warnings: [] };
  const firewallVersion = await detectFirewallVersion(env.pluginDirs);
  return withConfLock(env, async () => {
    const scan = await scanVisibleNetworks(env.netconfPath, env.namespace);
    const again = findDefaultNetwork(scan.records);
    if (again) return { network: again, created: false, warnings: [] };
    const path = join(env.netconfPath, conflistFileName(DEFAULT_NETWORK_NAME));
    if (existsSync(path)) {
      const why = scan.skipped.find((s) => s.file === path)?.message ?? path;
      throw new NerdnetError('ERR_ALREADY_EXISTS', `already found existing network config, cannot create new network named "${DEFAULT_NETWORK_NAME}" (${why})`);
    }
    try {
      const plan = await planUnderLock(env, req, firewallVersion);
      await checkPluginsInstalled(plan.pluginTypes, env.pluginDirs);
      await applyPlan(plan);
      return { network: recordFromBytes(plan.path, await readFile(plan.path)), created: true, warnings: plan.warnings };
    } catch (e) {
      throw wrapError('failed to create default network', e);
    }
  });
}
