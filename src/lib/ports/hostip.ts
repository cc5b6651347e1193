// Host-address matching for port conflicts (nerdctl: a rule counts "if either side is a wildcard or
// the IPs are equal"), refined per family: portmap installs 0.0.0.0 mappings in iptables only and ::
// mappings in ip6tables only, so 0.0.0.0:80 and [::]:80 can be published side by side.
import { bitLength, cidrOf, contains, parseIP, unmapIPv4 } from '../ip/index.js';
import type { Cidr, IP, IPFamily } from '../ip/index.js';

/** The addresses a socket, rule or mapping covers on the host; undefined means every address of both families. */
export type HostScope = Cidr | undefined;

// Every address of one family (0.0.0.0/0 or ::/0).
export function anyOf(family: IPFamily): Cidr {
  return { family, value: 0n, prefix: 0 };
}

// Scope of one address; ::ffff:a.b.c.d counts as a.b.c.d (how /proc/net/tcp6 shows IPv4 peers).
// `dualStack`: a socket bound to :: may also accept IPv4 (IPV6_V6ONLY is not visible in /proc).
export function scopeOfIP(ip: IP, dualStack = false): HostScope {
  const plain = unmapIPv4(ip);
  if (plain.value === 0n) return dualStack && plain.family === 6 ? undefined : anyOf(plain.family);
  return cidrOf(plain, bitLength(plain.family));
}

// Scope of a mapping's HostIP text (validated by parsePublish); "" means unspecified, i.e. everything.
export function scopeOfHostIP(hostIP: string): HostScope {
  return hostIP === '' ? undefined : scopeOfIP(parseIP(hostIP));
}

// Scope of an iptables `-d` value; a prefix shorter than the family's stays a subnet.
export function scopeOfNet(net: Cidr): HostScope {
  return net.prefix === bitLength(net.family) ? scopeOfIP({ family: net.family, value: net.value }) : net;
}

// True when a port held on `a` also blocks `b`.
export function scopesOverlap(a: HostScope, b: HostScope): boolean {
  if (a === undefined || b === undefined) return true;
  if (a.family !== b.family) return false;
  const [wide, narrow] = a.prefix <= b.prefix ? [a, b] : [b, a];
  return contains(wide, { family: narrow.family, value: narrow.value });
}

// host:port with IPv6 in brackets, as in Go's net.JoinHostPort and Docker's output.
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
