// CNI result shapes per spec version and the JSON/IP primitives the parser and converter share.

import { formatIP, isIPv4Mapped, tryParseCIDR, tryParseIP, unmapIPv4 } from '../ip/index.js';

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

// The result type a conversion to version V produces ("" means 0.1.0).
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
// An object of JSON values only: what a result serialises to.
export type JsonResultObject = { [key: string]: JsonValue };

// Go's encoding/json matches keys exactly first, then case-insensitively, so PascalCase from Go producers works.
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

// Node says "Unexpected end of JSON input", Go "unexpected end of JSON input": keep Go's casing.
export function jsonErrorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- IP / CIDR text in Go's net package form, on top of src/lib/ip ----

export interface CanonicalIP {
  text: string;
  family: 4 | 6;
}

// Parse an IP address; IPv4-mapped IPv6 prints as IPv4 (Go's To4()).
export function canonicalIP(s: string): CanonicalIP | null {
  const parsed = tryParseIP(s);
  if (!parsed) return null;
  const ip = isIPv4Mapped(parsed) ? unmapIPv4(parsed) : parsed;
  return { text: formatIP(ip), family: ip.family };
}

// Parse "ip/prefix" keeping host bits (pkg/types ParseCIDR), printed like Go's IPNet.String.
export function canonicalCIDR(s: string): CanonicalIP | null {
  const parsed = tryParseCIDR(s);
  if (!parsed) return null;
  // Go prints a v4-mapped network as IPv4 with the low 32 bits of the mask.
  if (isIPv4Mapped(parsed.ip)) {
    return { text: `${formatIP(unmapIPv4(parsed.ip))}/${Math.max(0, parsed.network.prefix - 96)}`, family: 4 };
  }
  return { text: `${formatIP(parsed.ip)}/${parsed.network.prefix}`, family: parsed.ip.family };
}

// Family of an already-canonical address or CIDR string.
export function familyOf(canonical: string): 4 | 6 {
  return canonical.includes(':') ? 6 : 4;
}
