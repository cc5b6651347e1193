// Docker's NetworkSettings for a CNI container, from the CNI results kept in meta.json: the
// container-side interface of each network, its addresses, gateway and MAC; published ports.
import type { PortMapping } from '../ports/types.js';

interface Endpoint {
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPv6Gateway: string;
  MacAddress: string;
}

const EMPTY: Endpoint = { IPAddress: '', IPPrefixLen: 0, Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, IPv6Gateway: '', MacAddress: '' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// The interface inside the container (it has a sandbox) and the addresses bound to it.
export function endpointOf(result: Obj | undefined): Endpoint {
  if (!result) return { ...EMPTY };
  const ifaces = Array.isArray(result.interfaces) ? result.interfaces.filter(isObj) : [];
  const own = ifaces.findIndex((i) => typeof i.sandbox === 'string' && i.sandbox !== '');
  const ep: Endpoint = { ...EMPTY, MacAddress: own >= 0 && typeof ifaces[own]?.mac === 'string' ? (ifaces[own]?.mac) : '' };
  for (const ip of Array.isArray(result.ips) ? result.ips.filter(isObj) : []) {
    if (typeof ip.address !== 'string') continue;
    if (typeof ip.interface === 'number' && own >= 0 && ip.interface !== own) continue;
    const [addr = '', len = '0'] = ip.address.split('/');
    const gw = typeof ip.gateway === 'string' ? ip.gateway : '';
    if (addr.includes(':')) {
      if (!ep.GlobalIPv6Address) Object.assign(ep, { GlobalIPv6Address: addr, GlobalIPv6PrefixLen: Number(len), IPv6Gateway: gw });
    } else if (!ep.IPAddress) Object.assign(ep, { IPAddress: addr, IPPrefixLen: Number(len), Gateway: gw });
  }
  return ep;
}

// Docker's Ports map: `"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]`.
export function dockerPorts(mappings: readonly PortMapping[]): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const m of mappings) (out[`${m.containerPort}/${m.protocol}`] ??= []).push({ HostIp: m.hostIP, HostPort: String(m.hostPort) });
  return out;
}

export function cniNetworkSettings(names: readonly string[], results: Record<string, Obj> | null, ports: readonly PortMapping[]): Record<string, unknown> {
  const networks: Record<string, Endpoint> = {};
  for (const name of names) networks[name] = endpointOf(results?.[name]);
  const first = networks[names[0] ?? ''] ?? { ...EMPTY };
  return { Ports: dockerPorts(ports), ...first, Networks: networks };
}
