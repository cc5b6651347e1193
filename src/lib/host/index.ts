// Host access: iproute2 wrappers behind the HostNetwork seam.
export { IpHostNetwork, assertLinkName, type HostAddress, type HostNetwork, type HostRoute } from './host-network.js';
export { ipBinary, ipJson, runIp, type IpRunResult } from './ip-command.js';
