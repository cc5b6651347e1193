// Options shared by every network operation: where configs live and the seams for fakes.
import type { Logger } from '../etc/types.js';
import type { HostNetwork } from '../host/host-network.js';
import type { NetworkUsage } from './usage.js';

export interface NetworkEnv {
  // CNI conf dir (`--cni-netconfpath`).
  netconfPath: string;
  // containerd namespace; '' writes custom networks at the top level (nerdctl's no-namespace case).
  namespace: string;
  // CNI plugin dirs (`--cni-path`), for the plugin-installed check and firewall version detection.
  pluginDirs: readonly string[];
  // Host addresses/routes/links; default: iproute2.
  host?: HostNetwork;
  // Which containers use a network; default: live attachments in the libcni cache.
  usage?: NetworkUsage;
  // Rootless conflists get `"backend":"iptables"` on the firewall plugin.
  rootless?: boolean;
  // dhcp daemon socket written into dhcp conflists; default /run/cni/dhcp.sock.
  dhcpSocketPath?: string;
  // First candidate for automatic subnets; default 10.4.1.0/24.
  autoSubnetStart?: string;
  // Give up waiting for `<netconf>/.nerdctl.lock` after this long; default: wait.
  lockTimeoutMs?: number;
  // Warnings about config files skipped or shadowed; default: dropped.
  log?: Logger;
}

/** `network create` flags as given (spec 2.1); lists are the raw repeated flag values. */
export interface NetworkCreateRequest {
  name: string;
  driver?: string;
  // -o/--opt k=v
  options?: readonly string[];
  ipamDriver?: string;
  // --ipam-opt NAME=JSON
  ipamOptions?: readonly string[];
  subnets?: readonly string[];
  gateways?: readonly string[];
  ipRanges?: readonly string[];
  // --aux-address name=IP
  auxAddresses?: readonly string[];
  labels?: readonly string[];
  ipv4?: boolean;
  ipv6?: boolean;
  internal?: boolean;
}

export const DEFAULT_DHCP_SOCKET = '/run/cni/dhcp.sock';
export const LOCK_FILE = '.nerdctl.lock';
