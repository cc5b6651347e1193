// Planning a network as data (design.md §2, plan then apply): validated flags + what is on disk
// and on the host in, conflist path and bytes out. Nothing here touches the system.
import { NerdnetError } from '../errors.js';
import { contains, formatCIDR, STARTING_SUBNET, tryParseIP } from '../ip/index.js';
import type { HostAddress, HostRoute } from '../host/host-network.js';
import { goMarshal, goMarshalIndent, sortKeysDeep } from './gojson.js';
import { checkIpamDriver, generateIpam } from './ipam.js';
import { AUX_ADDRESSES_LABEL, DEFAULT_NETWORK_LABEL, DEFAULT_NETWORK_NAME, bridgeNameFor, conflistPath, networkID, validateCreatableName, validateNamespace } from './names.js';
import { parseKeyValues, parseLabels } from './options.js';
import { checkDriver, generatePlugins, type Driver } from './plugins.js';
import { routesToAvoid, usedByConfigs, usedByHost } from './subnets.js';
import type { NetworkRecord, RawConfig } from './store.js';
import { DEFAULT_DHCP_SOCKET, type NetworkCreateRequest } from './types.js';

// nerdctl always writes 1.0.0; Debian's plugins stop there too.
export const CONFLIST_CNI_VERSION = '1.0.0';

export interface PlanInput {
  netconfPath: string;
  namespace: string;
  // Networks this namespace sees (for the name check).
  visible: readonly NetworkRecord[];
  // Configs of every namespace (for subnets).
  configs: readonly RawConfig[];
  hostAddresses: readonly HostAddress[];
  hostRoutes: readonly HostRoute[];
  firewallVersion?: string | undefined;
  rootless?: boolean | undefined;
  dhcpSocketPath?: string | undefined;
  autoSubnetStart?: string | undefined;
}

export interface NetworkPlan {
  name: string;
  id: string;
  path: string;
  // The conflist, byte for byte as nerdctl writes it (2-space indent, no trailing newline).
  bytes: string;
  driver: string;
  ipamType: string;
  subnets: string[];
  bridge?: string;
  // Plugin types that must be installed (main plugins and IPAM).
  pluginTypes: string[];
  warnings: string[];
}

export interface ValidatedRequest {
  name: string;
  driver: Driver;
  ipamDriver: string;
  options: Map<string, string>;
  ipamOptions: Map<string, string>;
  labels: Record<string, string>;
}

// Everything that needs no state: run before taking the lock so bad input writes nothing.
export function validateRequest(req: NetworkCreateRequest, namespace: string): ValidatedRequest {
  validateCreatableName(req.name);
  validateNamespace(namespace);
  const driver = checkDriver(req.driver ?? 'bridge');
  // The network named bridge is the default network, on nerdctl0.
  if (req.name === DEFAULT_NETWORK_NAME && driver !== 'bridge') {
    throw new NerdnetError('ERR_INVALID_ARG', `network "${DEFAULT_NETWORK_NAME}" is the default network and uses the bridge driver, not ${driver}; choose another name`);
  }
  const ipamDriver = req.ipamDriver ?? 'default';
  checkIpamDriver(ipamDriver);
  if (req.ipv4 === false && req.ipv6 !== true) throw new NerdnetError('ERR_INVALID_ARG', 'IPv4 or IPv6 must be enabled');
  const labels = parseLabels(req.labels ?? []);
  if (AUX_ADDRESSES_LABEL in labels) {
    throw new NerdnetError('ERR_INVALID_ARG', `label ${AUX_ADDRESSES_LABEL} is reserved for --aux-address bookkeeping; use --aux-address instead`);
  }
  // nerdctl would take any network with it as the default and refuse to remove it.
  if (DEFAULT_NETWORK_LABEL in labels) {
    throw new NerdnetError('ERR_INVALID_ARG', `label ${DEFAULT_NETWORK_LABEL} is reserved for the default network "${DEFAULT_NETWORK_NAME}", which gets it by itself; choose another label`);
  }
  return {
    name: req.name,
    driver,
    ipamDriver,
    options: parseKeyValues(req.options ?? [], '--opt'),
    ipamOptions: parseKeyValues(req.ipamOptions ?? [], '--ipam-opt'),
    labels,
  };
}

export function planNetwork(req: NetworkCreateRequest, input: PlanInput): NetworkPlan {
  const v = validateRequest(req, input.namespace);
  const existing = input.visible.find((r) => r.name === v.name);
  if (existing) throw new NerdnetError('ERR_ALREADY_EXISTS', `network with name ${v.name} already exists (${existing.file}); remove it first or choose another name`);
  const ownLink = v.driver === 'bridge' ? bridgeNameFor(v.name) : undefined;
  const ipv4 = req.ipv4 ?? true;
  const ipv6 = req.ipv6 ?? false;
  const internal = req.internal ?? false;
  const ipam = generateIpam(
    {
      driver: v.ipamDriver,
      options: v.ipamOptions,
      dhcpSocketPath: input.dhcpSocketPath ?? DEFAULT_DHCP_SOCKET,
      subnets: req.subnets ?? [],
      gateways: req.gateways ?? [],
      ipRanges: req.ipRanges ?? [],
      auxAddresses: req.auxAddresses ?? [],
      ipv4,
      ipv6,
      internal,
    },
    {
      used: [...usedByConfigs(input.configs), ...usedByHost(input.hostAddresses, ownLink)],
      autoAvoid: routesToAvoid(input.hostRoutes, ownLink),
      autoStart: input.autoSubnetStart ?? STARTING_SUBNET,
    },
  );
  const chain = generatePlugins({
    driver: v.driver,
    name: v.name,
    options: v.options,
    ipam: ipam.ipam,
    internal,
    ipsCapability: ipv6 || ipam.type === 'static',
    firewallVersion: input.firewallVersion,
    rootless: input.rootless ?? false,
  });
  const labels: Record<string, string> = { ...v.labels };
  if (ipam.aux) labels[AUX_ADDRESSES_LABEL] = goMarshal(sortKeysDeep(ipam.aux));
  // A network named bridge is the default network, however it was asked for (nerdctl's label).
  if (v.name === DEFAULT_NETWORK_NAME) labels[DEFAULT_NETWORK_LABEL] = 'true';
  const id = networkID(v.name);
  const conflist: Record<string, unknown> = { cniVersion: CONFLIST_CNI_VERSION, name: v.name, nerdctlID: id };
  if (Object.keys(labels).length > 0) conflist.nerdctlLabels = sortKeysDeep(labels);
  conflist.plugins = chain.plugins;
  const warnings = [...chain.warnings];
  if (ownLink) {
    // The bridge plugin refuses a bridge that already holds another IPv4 address (plugins ensureAddr).
    for (const a of input.hostAddresses.filter((h) => h.ifname === ownLink)) {
      const ip = tryParseIP(a.address);
      if (ip && !ipam.subnets.some((s) => contains(s, ip))) {
        warnings.push(`bridge ${ownLink} still holds ${a.address}/${a.prefix} from an earlier network; run "ip link delete ${ownLink}" or attaching will fail`);
      }
    }
  }
  const plan: NetworkPlan = {
    name: v.name,
    id,
    path: conflistPath(input.netconfPath, input.namespace, v.name),
    bytes: goMarshalIndent(conflist, '  '),
    driver: v.driver,
    ipamType: ipam.type,
    subnets: ipam.subnets.map(formatCIDR),
    pluginTypes: [...new Set([...chain.plugins.map((p) => String(p.type)), ipam.type])],
    warnings,
  };
  if (chain.bridge) plan.bridge = chain.bridge;
  return plan;
}
