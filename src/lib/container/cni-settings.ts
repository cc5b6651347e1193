// Docker's NetworkSettings for a CNI container, from the CNI results kept in meta.json: the
// container-side interface of each network, its addresses, gateway and MAC; published ports.
import type { EndpointSettings, NetworkSettings } from './inspect-types.js';
import { containerEndpoint } from '../cni/endpoint.js';
import type { PortMapping } from '../ports/types.js';

type Endpoint = Required<EndpointSettings>;

const EMPTY: Endpoint = { IPAddress: '', IPPrefixLen: 0, Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, IPv6Gateway: '', MacAddress: '' };

type Obj = Record<string, unknown>;

// Docker's endpoint fields for the container's side of one network.
export function endpointOf(result: Obj | undefined): Endpoint {
  const ep = containerEndpoint(result);
  const split = (a: string) => a.split('/') as [string, string];
  const out: Endpoint = { ...EMPTY, MacAddress: ep.mac ?? '' };
  if (ep.ipv4) Object.assign(out, { IPAddress: split(ep.ipv4.address)[0], IPPrefixLen: Number(split(ep.ipv4.address)[1]), Gateway: ep.ipv4.gateway ?? '' });
  if (ep.ipv6) Object.assign(out, { GlobalIPv6Address: split(ep.ipv6.address)[0], GlobalIPv6PrefixLen: Number(split(ep.ipv6.address)[1]), IPv6Gateway: ep.ipv6.gateway ?? '' });
  return out;
}

// Docker's Ports map: `"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]`.
export function dockerPorts(mappings: readonly PortMapping[]): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const m of mappings) (out[`${m.containerPort}/${m.protocol}`] ??= []).push({ HostIp: m.hostIP, HostPort: String(m.hostPort) });
  return out;
}

export function cniNetworkSettings(names: readonly string[], results: Record<string, Obj> | null, ports: readonly PortMapping[]): NetworkSettings {
  const networks: Record<string, Endpoint> = {};
  for (const name of names) networks[name] = endpointOf(results?.[name]);
  const first = networks[names[0] ?? ''] ?? { ...EMPTY };
  return { Ports: dockerPorts(ports), ...first, Networks: networks };
}
