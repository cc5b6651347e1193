// CNI result shapes per spec version (spec 1.7) and the JSON/IP primitives the parser and converter share.

export type Version020 = '0.1.0' | '0.2.0';
export type Version040 = '0.3.0' | '0.3.1' | '0.4.0';
export type Version100 = '1.0.0' | '1.1.0';

export const VERSIONS_020: readonly Version020[] = ['0.1.0', '0.2.0'];
export const VERSIONS_040: readonly Version040[] = ['0.3.0', '0.3.1', '0.4.0'];
export const VERSIONS_100: readonly Version100[] = ['1.0.0', '1.1.0'];

// Shared by every version (pkg/types Route): mtu/advmss/priority are omitted when 0, table/scope kept when set.
export interface Route {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface DNS {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface Interface100 {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
  socketPath?: string;
  pciID?: string;
}

export interface IPConfig100 {
  interface?: number;
  address: string;
  gateway?: string;
}

export interface Result100 {
  cniVersion: Version100;
  interfaces?: Interface100[];
  ips?: IPConfig100[];
  routes?: Route[];
  dns?: DNS;
}

export interface Interface040 {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface IPConfig040 {
  version: '4' | '6';
  interface?: number;
  address: string;
  gateway?: string;
}

export interface Result040 {
  cniVersion: Version040;
  interfaces?: Interface040[];
  ips?: IPConfig040[];
  routes?: Route[];
  dns?: DNS;
}

export interface IPConfig020 {
  ip: string;
  gateway?: string;
  routes?: Route[];
}

export interface Result020 {
  cniVersion: Version020;
  ip4?: IPConfig020;
  ip6?: IPConfig020;
  dns?: DNS;
}

export type Result = Result100 | Result040 | Result020;

// The result type a conversion to version V produces ("" means 0.1.0, spec 1.8).
export type ResultFor<V extends string> = V extends Version100
  ? Result100
  : V extends Version040
    ? Result040
    : V extends Version020 | ''
      ? Result020
      : Result;

export function isResult100(r: Result): r is Result100 {
  return (VERSIONS_100 as readonly string[]).includes(r.cniVersion);
}

export function isResult040(r: Result): r is Result040 {
  return (VERSIONS_040 as readonly string[]).includes(r.cniVersion);
}

export function isResult020(r: Result): r is Result020 {
  return (VERSIONS_020 as readonly string[]).includes(r.cniVersion);
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

// Go's encoding/json matches keys exactly first, then case-insensitively, so PascalCase from Go producers works (spec 8).
export function jsonField(obj: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

// Short description of a JSON value for error messages: `number 5`, `string "x"`, `array`, `null`.
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

// Node says "Unexpected end of JSON input", Go "unexpected end of JSON input": keep Go's casing (spec 7 #1).
export function jsonErrorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- IP / CIDR text in Go's net package form (ParseIP / ParseCIDR / IP.String) ----

export interface CanonicalIP {
  text: string;
  family: 4 | 6;
}

function parseIPv4Octets(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    // Go's ParseIP rejects leading zeros ("010.0.0.1") since Go 1.17.
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseHexGroups(part: string, allowV4Tail: boolean): number[] | null {
  if (part === '') return [];
  const groups = part.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
      const o = parseIPv4Octets(g);
      if (!o) return null;
      words.push(((o[0] ?? 0) << 8) | (o[1] ?? 0), ((o[2] ?? 0) << 8) | (o[3] ?? 0));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      words.push(parseInt(g, 16));
    } else {
      return null;
    }
  }
  return words;
}

// Eight 16-bit words, or null. Zones ("%eth0") are rejected like Go's ParseIP.
function parseIPv6Words(s: string): number[] | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const words = parseHexGroups(s, true);
    return words && words.length === 8 ? words : null;
  }
  const head = parseHexGroups(halves[0] ?? '', false);
  const tail = parseHexGroups(halves[1] ?? '', true);
  // "::" must stand for at least one zero group (Go's parseIPv6).
  if (!head || !tail || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function isV4Mapped(words: number[]): boolean {
  return words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
}

// RFC 5952 text, as Go's IP.String prints it: lowercase, first longest run (>= 2) of zero words as "::".
function formatIPv6(words: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function mappedToV4(words: number[]): string {
  const hi = words[6] ?? 0;
  const lo = words[7] ?? 0;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

// Parse an IP address; IPv4-mapped IPv6 prints as IPv4 (Go's To4()).
export function canonicalIP(s: string): CanonicalIP | null {
  if (s.includes(':')) {
    const words = parseIPv6Words(s);
    if (!words) return null;
    return isV4Mapped(words) ? { text: mappedToV4(words), family: 4 } : { text: formatIPv6(words), family: 6 };
  }
  const octets = parseIPv4Octets(s);
  return octets ? { text: octets.join('.'), family: 4 } : null;
}

// Parse "ip/prefix" keeping host bits (pkg/types ParseCIDR), printed like Go's IPNet.String.
export function canonicalCIDR(s: string): CanonicalIP | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (addr.includes(':')) {
    const words = parseIPv6Words(addr);
    if (!words || prefix > 128) return null;
    // Go prints a v4-mapped network as IPv4 with the low 32 bits of the mask.
    if (isV4Mapped(words)) return { text: `${mappedToV4(words)}/${Math.max(0, prefix - 96)}`, family: 4 };
    return { text: `${formatIPv6(words)}/${prefix}`, family: 6 };
  }
  const octets = parseIPv4Octets(addr);
  if (!octets || prefix > 32) return null;
  return { text: `${octets.join('.')}/${prefix}`, family: 4 };
}

// Family of an already-canonical address or CIDR string.
export function familyOf(canonical: string): 4 | 6 {
  return canonical.includes(':') ? 6 : 4;
}
