// Published ports (`-p`): grammar, host port planning, conflict detection, network-config.json,
// display formats and the rootful port reserver.
export { AUTO_PORT_END, AUTO_PORT_START, PROTOCOLS } from './types.js';
export type { PortMapping, PortRange, PortUser, Protocol, PublishRequest, UsedPortLookup } from './types.js';
export { checkRangeLengths, parsePortFilter, parsePublish, parsePublishFlags, rangeText, splitHostPort } from './parse.js';
export { allocatePorts } from './allocate.js';
export type { AllocateOptions } from './allocate.js';
export { anyOf, joinHostPort, scopeOfHostIP, scopeOfIP, scopesOverlap } from './hostip.js';
export type { HostScope } from './hostip.js';
export { parseProcNet, parseProcNetAddress, TCP_CLOSE_WAIT, TCP_TIME_WAIT } from './procnet.js';
export type { ProcNetFile, ProcNetSocket } from './procnet.js';
export { DN_CHAIN_PREFIX, HOSTPORT_DNAT_CHAIN, natPortUses, parseNatRule, splitRuleTokens } from './nat.js';
export type { NatPortUse, NatRule } from './nat.js';
export { hostPortSources } from './sources.js';
export type { PortSources } from './sources.js';
export { claimUses, natUses, PortUsage, procNetUses, scanPortUsage, usedPorts } from './used.js';
export type { ContainerPortClaim, PortUse, ScanOptions } from './used.js';
export {
  decodeNetworkConfig,
  decodePortsLabel,
  encodeNetworkConfig,
  loadPortMappings,
  NETWORK_CONFIG_FILE,
  readNetworkConfig,
  readStoredClaims,
  toStoredMappings,
  writeNetworkConfig,
} from './store.js';
export type { ClaimKind, StoredClaimsOptions, StoredPortMapping } from './store.js';
export { formatPortLines, formatPsPorts, formatPublish } from './format.js';
export { publishPorts } from './publish.js';
export type { PublishPortsOptions, PublishPortsResult } from './publish.js';
export { releasePortReservation, reservePorts } from './reserve.js';
export type { PortReservation, ReserveOptions } from './reserve.js';
