// CIDR parsing and subnet math on bigints (Go's net.ParseCIDR / net.IPNet semantics).
import { NerdnetError } from '../errors.js';
import { bitLength, formatIP, ipParseError, maxValue, tryParseIP } from './address.js';
import type { IP, IPFamily } from './address.js';

/** A subnet: `value` is always the network address (host bits zero). */
export interface Cidr {
  readonly family: IPFamily;
  readonly value: bigint;
  readonly prefix: number;
}

/** What Go's net.ParseCIDR returns: the address as written and its masked network. */
export interface ParsedCidr {
  readonly ip: IP;
  readonly network: Cidr;
}

const CIDR_HINT = 'write it like 10.4.1.0/24 or fd00:1::/64';

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

// Bit mask with the top `prefix` bits set, e.g. (4, 24) → 0xffffff00n.
export function prefixMask(family: IPFamily, prefix: number): bigint {
  const bits = bitLength(family);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw invalid(`prefix length ${prefix} is out of range for IPv${family} (0-${bits})`);
  }
  return maxValue(family) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

// The subnet of the given size containing `ip` (host bits cleared).
export function cidrOf(ip: IP, prefix: number): Cidr {
  return { family: ip.family, value: ip.value & prefixMask(ip.family, prefix), prefix };
}

function parseOrReason(s: string): ParsedCidr | string {
  const slash = s.indexOf('/');
  if (slash < 0) return 'missing "/<prefix length>"';
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  const ip = tryParseIP(addr);
  if (ip === undefined) return addr === '' ? 'missing the address before "/"' : `address "${addr}": ${ipParseError(addr)}`;
  // Go's dtoi: decimal digits only; leading zeros are accepted ("/024" is /24).
  if (!/^[0-9]+$/.test(len)) return len === '' ? 'missing the prefix length after "/"' : `prefix length "${len}" is not a decimal number`;
  const prefix = Number(len);
  const bits = bitLength(ip.family);
  if (prefix > bits) return `prefix length ${len} is out of range for IPv${ip.family} (0-${bits})`;
  return { ip, network: cidrOf(ip, prefix) };
}

// Parse "addr/len" strictly; host bits are allowed and kept in `ip`, cleared in `network`.
export function parseCIDR(s: string): ParsedCidr {
  const r = parseOrReason(s);
  if (typeof r === 'string') throw invalid(`invalid CIDR ${JSON.stringify(s)}: ${r}; ${CIDR_HINT}`);
  return r;
}

// Like parseCIDR but returns undefined for invalid text.
export function tryParseCIDR(s: string): ParsedCidr | undefined {
  const r = parseOrReason(s);
  return typeof r === 'string' ? undefined : r;
}

// Why `s` is not a valid CIDR, or undefined when it is one.
export function cidrParseError(s: string): string | undefined {
  const r = parseOrReason(s);
  return typeof r === 'string' ? r : undefined;
}

// Network form, e.g. "10.4.1.0/24".
export function formatCIDR(net: Cidr): string {
  return `${formatIP(networkAddress(net))}/${net.prefix}`;
}

// Address-as-written form, e.g. "10.4.1.7/24" (Go's IPNet.String with host bits, CNI result addresses).
export function formatParsedCIDR(p: ParsedCidr): string {
  return `${formatIP(p.ip)}/${p.network.prefix}`;
}

// True when the CIDR was written with host bits set ("10.5.0.1/16").
export function hasHostBits(p: ParsedCidr): boolean {
  return p.ip.value !== p.network.value;
}

// First address (host bits zero); masks again so hand-built objects are safe.
export function networkAddress(net: Cidr): IP {
  return { family: net.family, value: net.value & prefixMask(net.family, net.prefix) };
}

// Last address of the subnet (all host bits set).
export function lastAddress(net: Cidr): IP {
  return { family: net.family, value: networkAddress(net).value + addressCount(net) - 1n };
}

// IPv4 broadcast address; for IPv6 (no broadcast) the last address.
export const broadcast = lastAddress;

// Go's IPMask.Size(): leading ones and total bits.
export function maskSize(net: Cidr): { ones: number; bits: number } {
  return { ones: net.prefix, bits: bitLength(net.family) };
}

// Number of addresses in the subnet, network and broadcast included.
export function addressCount(net: Cidr): bigint {
  return 1n << BigInt(bitLength(net.family) - net.prefix);
}

// Whether `ip` lies inside `net`; always false across families.
export function contains(net: Cidr, ip: IP): boolean {
  return net.family === ip.family && (ip.value & prefixMask(net.family, net.prefix)) === networkAddress(net).value;
}

// Whether `inner` lies entirely inside `outer` (equal subnets count).
export function containsNet(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && contains(outer, networkAddress(inner));
}

// Whether the subnets share any address; aligned blocks overlap only when one contains the other.
export function overlaps(a: Cidr, b: Cidr): boolean {
  return containsNet(a, b) || containsNet(b, a);
}

// Same family, network and prefix.
export function cidrEquals(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.prefix === b.prefix && networkAddress(a).value === networkAddress(b).value;
}

// Sort order: family, then network address, then shorter prefix first. Returns -1, 0 or 1.
export function compareCidr(a: Cidr, b: Cidr): -1 | 0 | 1 {
  if (a.family !== b.family) return a.family < b.family ? -1 : 1;
  const av = networkAddress(a).value;
  const bv = networkAddress(b).value;
  if (av !== bv) return av < bv ? -1 : 1;
  if (a.prefix !== b.prefix) return a.prefix < b.prefix ? -1 : 1;
  return 0;
}

// `ip` + n (n may be negative); undefined when the result leaves the address space.
export function nextIP(ip: IP, n = 1n): IP | undefined {
  const value = ip.value + n;
  if (value < 0n || value > maxValue(ip.family)) return undefined;
  return { family: ip.family, value };
}

// `ip` - n; undefined when the result leaves the address space.
export function prevIP(ip: IP, n = 1n): IP | undefined {
  return nextIP(ip, -n);
}

// The n-th address of the subnet from 0; a negative n counts back from the end (-1n is the last).
export function nthAddress(net: Cidr, n: bigint): IP {
  const count = addressCount(net);
  const index = n < 0n ? count + n : n;
  if (index < 0n || index >= count) {
    throw invalid(`address index ${n} is outside ${formatCIDR(net)}, which has ${count} addresses`);
  }
  return { family: net.family, value: networkAddress(net).value + index };
}

// host-local refuses subnets with fewer than 2 host bits (/31, /32, /127, /128): nothing to hand out.
function assertHasHosts(net: Cidr): void {
  if (net.prefix > bitLength(net.family) - 2) {
    throw invalid(`subnet ${formatCIDR(net)} is too small to allocate addresses from; use a prefix of /${bitLength(net.family) - 2} or shorter`);
  }
}

// Network + 1: the CNI default gateway and host-local's default rangeStart.
export function firstUsable(net: Cidr): IP {
  assertHasHosts(net);
  return { family: net.family, value: networkAddress(net).value + 1n };
}

// host-local's default rangeEnd: broadcast - 1 for IPv4, the last address for IPv6.
export function lastUsable(net: Cidr): IP {
  assertHasHosts(net);
  const last = lastAddress(net);
  return net.family === 4 ? { family: 4, value: last.value - 1n } : last;
}

// The following subnet of the same size (10.4.1.0/24 → 10.4.2.0/24); undefined past the end of the space.
export function nextSubnet(net: Cidr): Cidr | undefined {
  const value = networkAddress(net).value + addressCount(net);
  if (value > maxValue(net.family)) return undefined;
  return { family: net.family, value, prefix: net.prefix };
}

// Addresses from `first` to `last` inclusive, at most `limit` of them (a /64 must never be walked whole).
export function* ipsInRange(first: IP, last: IP, limit = 65_536): Generator<IP, void, undefined> {
  if (first.family !== last.family) {
    throw invalid(`cannot iterate from ${formatIP(first)} to ${formatIP(last)}: the addresses are of different families`);
  }
  let emitted = 0;
  for (let v = first.value; v <= last.value && emitted < limit; v++, emitted++) {
    yield { family: first.family, value: v };
  }
}

// Every address of the subnet in order, network and broadcast included, at most `limit`.
export function ipsInNet(net: Cidr, limit = 65_536): Generator<IP, void, undefined> {
  return ipsInRange(networkAddress(net), lastAddress(net), limit);
}
