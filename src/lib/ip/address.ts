// IP addresses as bigints: strict parsing and canonical printing with Go's net/netip semantics.
import { NerdnetError } from '../errors.js';

export type IPFamily = 4 | 6;

/** One IP address; `value` holds 32 bits for IPv4 and 128 bits for IPv6. */
export interface IP {
  readonly family: IPFamily;
  readonly value: bigint;
}

const HINT = 'expected an IPv4 address like 10.4.0.1 or an IPv6 address like fd00::1';
const MAPPED_PREFIX = 0xffffn << 32n;

// Number of bits in an address of this family.
export function bitLength(family: IPFamily): 32 | 128 {
  return family === 4 ? 32 : 128;
}

// Largest address value of this family (all ones).
export function maxValue(family: IPFamily): bigint {
  return (1n << BigInt(bitLength(family))) - 1n;
}

// Build an address from a bigint, refusing values that do not fit the family.
export function ipFromValue(family: IPFamily, value: bigint): IP {
  if (value < 0n || value > maxValue(family)) {
    throw new NerdnetError('ERR_INVALID_ARG', `value ${value} is not an IPv${family} address: it must be between 0 and ${maxValue(family)}`);
  }
  return { family, value };
}

// Dotted quad, 4 fields of 0-255; a leading zero is refused because older parsers read it as octal (Go ≥1.17).
function parseIPv4(s: string): bigint | string {
  const fields = s.split('.');
  if (fields.length !== 4) return `an IPv4 address has 4 dot-separated fields, found ${fields.length}`;
  let value = 0n;
  for (const [i, f] of fields.entries()) {
    if (f === '') return `IPv4 field ${i + 1} is empty`;
    if (!/^[0-9]+$/.test(f)) return `IPv4 field ${i + 1} "${f}" is not a decimal number`;
    if (f.length > 1 && f.startsWith('0')) return `IPv4 field ${i + 1} "${f}" has a leading zero (ambiguous octal); write ${Number(f)}`;
    const n = Number(f);
    if (n > 255) return `IPv4 field ${i + 1} value ${f} is greater than 255`;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

const HEX_DIGIT = /^[0-9a-fA-F]$/;

// RFC 4291 text forms: 8 groups, one optional "::", optional trailing dotted quad.
function parseIPv6(s: string): bigint | string {
  const groups: number[] = [];
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith('::')) {
    ellipsis = 0;
    i = 2;
  } else if (s.startsWith(':')) {
    return 'an IPv6 address cannot start with a single ":"';
  }
  while (i < s.length) {
    let j = i;
    while (j < s.length && HEX_DIGIT.test(s.charAt(j))) j++;
    if (s.charAt(j) === '.') {
      // Embedded IPv4 takes the last two groups and must end the string.
      if (groups.length > 6) return 'no room for the embedded IPv4 address';
      const v4 = parseIPv4(s.slice(i));
      if (typeof v4 === 'string') return `embedded IPv4 address: ${v4}`;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      i = s.length;
      break;
    }
    if (j === i) return `unexpected character "${s.charAt(i)}" at position ${i + 1}`;
    if (j - i > 4) return `group "${s.slice(i, j)}" has more than 4 hex digits`;
    groups.push(Number.parseInt(s.slice(i, j), 16));
    if (groups.length > 8) return 'an IPv6 address has at most 8 groups';
    i = j;
    if (i === s.length) break;
    if (s.charAt(i) !== ':') return `unexpected character "${s.charAt(i)}" at position ${i + 1}`;
    i++;
    if (s.charAt(i) === ':') {
      if (ellipsis >= 0) return '"::" may appear only once';
      ellipsis = groups.length;
      i++;
    } else if (i === s.length) {
      return 'an IPv6 address cannot end with a single ":"';
    }
  }
  if (ellipsis < 0 && groups.length !== 8) return `an IPv6 address without "::" needs 8 groups, found ${groups.length}`;
  // Go (netip) refuses a "::" that stands for no zero group at all.
  if (ellipsis >= 0 && groups.length > 7) return '"::" must stand for at least one zero group';
  const full = ellipsis < 0 ? groups : [...groups.slice(0, ellipsis), ...Array<number>(8 - groups.length).fill(0), ...groups.slice(ellipsis)];
  return full.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

// Parse to an IP or return why the text is not one (no exception, so tryParseIP stays cheap).
function parseOrReason(s: string): IP | string {
  if (s === '') return 'empty string';
  if (/\s/.test(s)) return 'contains whitespace; remove it';
  const pct = s.indexOf('%');
  if (pct >= 0) return `zones ("${s.slice(pct)}") are not supported; remove the "%..." suffix`;
  if (s.includes('/')) return 'contains "/"; give the address without a prefix length';
  if (s.includes(':')) {
    const v = parseIPv6(s);
    return typeof v === 'string' ? v : { family: 6, value: v };
  }
  const v = parseIPv4(s);
  return typeof v === 'string' ? v : { family: 4, value: v };
}

// Parse an IP address strictly; throws ERR_INVALID_ARG naming the value and the problem.
export function parseIP(s: string): IP {
  const r = parseOrReason(s);
  if (typeof r === 'string') throw new NerdnetError('ERR_INVALID_ARG', `invalid IP address ${JSON.stringify(s)}: ${r} (${HINT})`);
  return r;
}

// Like parseIP but returns undefined for invalid text.
export function tryParseIP(s: string): IP | undefined {
  const r = parseOrReason(s);
  return typeof r === 'string' ? undefined : r;
}

// Why `s` is not a valid IP address, or undefined when it is one (for callers building their own message).
export function ipParseError(s: string): string | undefined {
  const r = parseOrReason(s);
  return typeof r === 'string' ? r : undefined;
}

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

// True for ::ffff:a.b.c.d (an IPv4 address carried in IPv6).
export function isIPv4Mapped(ip: IP): boolean {
  return ip.family === 6 && ip.value >> 32n === 0xffffn;
}

// The IPv4 address inside ::ffff:a.b.c.d; any other address is returned unchanged (netip's Unmap).
export function unmapIPv4(ip: IP): IP {
  return isIPv4Mapped(ip) ? { family: 4, value: ip.value & 0xffffffffn } : ip;
}

// ::ffff:a.b.c.d for an IPv4 address; IPv6 addresses are returned unchanged.
export function mapIPv4(ip: IP): IP {
  return ip.family === 4 ? { family: 6, value: MAPPED_PREFIX | ip.value } : ip;
}

// Canonical text: dotted quad, or RFC 5952 IPv6 (what Go writes into .conflist files).
export function formatIP(ip: IP): string {
  if (ip.family === 4) return formatIPv4(ip.value);
  // Go's netip prints mapped addresses with a dotted tail, as RFC 5952 §5 recommends.
  if (isIPv4Mapped(ip)) return `::ffff:${formatIPv4(ip.value & 0xffffffffn)}`;
  const groups = Array.from({ length: 8 }, (_, k) => Number((ip.value >> BigInt(112 - 16 * k)) & 0xffffn));
  // Longest run of at least 2 zero groups; the strict ">" keeps the leftmost on ties.
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let end = k;
    while (end < 8 && groups[end] === 0) end++;
    if (end - k > bestLen) {
      bestStart = k;
      bestLen = end - k;
    }
    k = end;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

// True for an IPv4 address (or text that parses as one).
export function isIPv4(ip: IP | string): boolean {
  return (typeof ip === 'string' ? tryParseIP(ip) : ip)?.family === 4;
}

// True for an IPv6 address, IPv4-mapped included (or text that parses as one).
export function isIPv6(ip: IP | string): boolean {
  return (typeof ip === 'string' ? tryParseIP(ip) : ip)?.family === 6;
}

// Same family and same bits; ::ffff:1.2.3.4 and 1.2.3.4 differ, as in netip.
export function ipEquals(a: IP, b: IP): boolean {
  return a.family === b.family && a.value === b.value;
}

// Sort order: all IPv4 before all IPv6, then numerically. Returns -1, 0 or 1.
export function compareIP(a: IP, b: IP): -1 | 0 | 1 {
  if (a.family !== b.family) return a.family < b.family ? -1 : 1;
  if (a.value === b.value) return 0;
  return a.value < b.value ? -1 : 1;
}
