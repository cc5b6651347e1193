// What the hook hands the CNI plugins for one container: container ID
// `<ns>-<id>`, interfaces eth0..N, CNI_ARGS (IgnoreUnknown, dhcp hostname, IP, MAC) and the
// portMappings / ips capability args. The same args go to DEL, or portmap leaves its rules.
import { assignInterfaces, type AttachArgs, type NetworkAttachment } from '../cni/attach.js';
import type { PortMapping } from '../ports/types.js';
import type { ContainerNetworking } from './types.js';
import type { ResolvedNetwork } from './networks.js';

export function cniContainerID(namespace: string, id: string): string {
  return `${namespace}-${id}`;
}

export function attachmentsOf(networks: readonly ResolvedNetwork[]): NetworkAttachment[] {
  return assignInterfaces(networks.map((n) => n.list));
}

export function attachArgs(ann: ContainerNetworking, id: string, netns: string, ports: readonly PortMapping[], event: 'create' | 'delete'): AttachArgs {
  const args: Array<[string, string]> = [['IgnoreUnknown', '1']];
  // The dhcp plugin sends it as the DHCP hostname; only ADD needs it.
  if (event === 'create' && ann.hostname) args.push(['NERDCTL_CNI_DHCP_HOSTNAME', ann.hostname]);
  // host-local and static take IP with or without a prefix; static needs the prefix.
  if (ann.ip) args.push(['IP', ann.ip]);
  if (ann.mac) args.push(['MAC', ann.mac]);
  const capabilityArgs: Record<string, unknown> = {};
  if (ports.length > 0) capabilityArgs.portMappings = ports.map((p) => ({ ...p }));
  if (ann.ip6) capabilityArgs.ips = [ann.ip6];
  return { containerID: cniContainerID(ann.namespace, id), netns, args, capabilityArgs };
}
