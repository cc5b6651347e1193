// A container's side of one attachment, read from its CNI result (0.3.x-1.x JSON): the interface
// in the sandbox (optionally by name), its MAC, and its first IPv4 and IPv6 address.
import { isIPv4, isIPv6 } from '../ip/index.js';

export interface EndpointAddress {
  // CIDR form with host bits, as in the result (`10.4.0.5/24`).
  address: string;
  gateway?: string;
}

export interface Endpoint {
  mac?: string;
  ipv4?: EndpointAddress;
  ipv6?: EndpointAddress;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function containerEndpoint(result: Obj | undefined, ifName?: string): Endpoint {
  const ep: Endpoint = {};
  if (!result) return ep;
  const ifaces = Array.isArray(result.interfaces) ? result.interfaces.filter(isObj) : [];
  const own = ifaces.findIndex((i) => typeof i.sandbox === 'string' && i.sandbox !== '' && (ifName === undefined || i.name === ifName));
  const mac = own >= 0 ? ifaces[own]?.mac : undefined;
  if (typeof mac === 'string' && mac !== '') ep.mac = mac;
  for (const ip of Array.isArray(result.ips) ? result.ips.filter(isObj) : []) {
    if (typeof ip.address !== 'string') continue;
    // Addresses bound to another interface (the bridge's) are not the container's.
    if (typeof ip.interface === 'number' && own >= 0 && ip.interface !== own) continue;
    const entry: EndpointAddress = { address: ip.address, ...(typeof ip.gateway === 'string' && ip.gateway ? { gateway: ip.gateway } : {}) };
    const bare = ip.address.split('/')[0] ?? '';
    if (isIPv4(bare)) ep.ipv4 ??= entry;
    else if (isIPv6(bare)) ep.ipv6 ??= entry;
  }
  return ep;
}
