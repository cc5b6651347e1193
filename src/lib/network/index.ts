// `nerdnet/network`: nerdctl-compatible networks: create/list/inspect/remove/prune, the default network, the dhcp daemon.
export { createNetwork, checkPluginsInstalled, type CreatedNetwork } from './create.js';
export { ensureDefaultNetwork, defaultNetworkRequest, findDefaultNetwork, DEFAULT_SUBNET, type DefaultNetwork, type DefaultNetworkOptions } from './default-network.js';
export { ensureDhcpDaemon, dhcpSocketAlive, dhcpSocketOf, type DhcpDaemonOptions, type DhcpDaemonStatus } from './dhcp-daemon.js';
export { driverOf, ipamConfigOf, ipamDriverOf, isInternal, optionsOf, visibleLabels, type IpamConfigEntry } from './describe.js';
export { detectFirewallVersion, parseFirewallVersion, versionAtLeast } from './firewall.js';
export { inspectNetwork, inspectNetworks, inspectNetworksNative, type DockerNetwork, type EndpointInfo, type InspectResult, type NativeNetwork } from './inspect.js';
export { labelsString, listNetworks, parseFilters, type NetworkPredicate, type NetworkSummary } from './list.js';
export {
  AUX_ADDRESSES_LABEL, DEFAULT_BRIDGE, DEFAULT_NETWORK_LABEL, DEFAULT_NETWORK_NAME, MAX_NAME_LENGTH, PSEUDO_NETWORKS,
  bridgeNameFor, conflistPath, networkID, validateNamespace, validateNerdctlNetworkName,
} from './names.js';
export { planNetwork, validateRequest, CONFLIST_CNI_VERSION, type NetworkPlan, type PlanInput, type ValidatedRequest } from './plan.js';
export { pruneNetworks, removeNetworks, type RemoveResult } from './remove.js';
export {
  matchNetworks, networkByNameOrID, readAllConfigs, readVisibleNetworks, readVisibleScan, scanVisibleNetworks, scanWarnings,
  type NetworkRecord, type NetworkScan, type PseudoNetwork, type RawConfig,
} from './store.js';
export { routesToAvoid, subnetsOfConfig, usedByConfigs, usedByHost } from './subnets.js';
export { DEFAULT_DHCP_SOCKET, type NetworkCreateRequest, type NetworkEnv } from './types.js';
export { CniCacheUsage, type NetworkAttachmentInfo, type NetworkUsage, type PendingAttachment } from './usage.js';
export type { UsedSubnet } from './ipam-host-local.js';
export type { HostAddress, HostNetwork, HostRoute } from '../host/host-network.js';
export type { JsonObject, NetworkConfigList } from '../cni/conf.js';
export type { Driver } from './plugins.js';
