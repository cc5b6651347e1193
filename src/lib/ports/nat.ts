// Published ports visible in the nat table: portmap's CNI-HOSTPORT-DNAT chain jumps to one
// CNI-DN-<hash> chain per container whose rules carry the host address (`-d`) and port (`--dport`).
import { cidrOf, bitLength, tryParseCIDR, tryParseIP } from '../ip/index.js';
import type { Cidr, IPFamily } from '../ip/index.js';
import { anyOf, scopeOfNet } from './hostip.js';
import type { HostScope } from './hostip.js';

export const HOSTPORT_DNAT_CHAIN = 'CNI-HOSTPORT-DNAT';
export const DN_CHAIN_PREFIX = 'CNI-DN-';

/** One `-A` rule of `iptables -t nat -S` reduced to what port conflicts need. */
export interface NatRule {
  readonly chain: string;
  // undefined: any protocol (no `-p`, or a negated one).
  readonly protocol: string | undefined;
  // `-d` as a subnet; undefined when absent or negated.
  readonly destination: Cidr | undefined;
  readonly ports: number[];
  readonly jump: string | undefined;
}

/** A host port some DNAT rule forwards. */
export interface NatPortUse {
  readonly protocol: string | undefined;
  readonly scope: HostScope;
  readonly port: number;
  readonly chain: string;
}

// Split like a shell: iptables -S quotes comments ("dnat name: \"bridge\" id: \"...\"").
export function splitRuleTokens(line: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let has = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quoted && ch === '\\' && i + 1 < line.length) {
      cur += line.charAt(++i);
    } else if (ch === '"') {
      quoted = !quoted;
      has = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (has) tokens.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) tokens.push(cur);
  return tokens;
}

// "8080", "8080:8090" (iptables range) → ports; [] for anything else.
function portsOf(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(part);
    if (!m) continue;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    for (let p = start; p <= end && p <= 65535; p++) out.push(p);
  }
  return out;
}

function destinationOf(text: string): Cidr | undefined {
  const net = tryParseCIDR(text);
  if (net) return net.network;
  const ip = tryParseIP(text);
  return ip ? cidrOf(ip, bitLength(ip.family)) : undefined;
}

/** Parse one `-A CHAIN ...` line; undefined for policies (`-P`), chain declarations (`-N`) and junk. */
export function parseNatRule(line: string): NatRule | undefined {
  const t = splitRuleTokens(line.trim());
  if (t[0] !== '-A' || t[1] === undefined) return undefined;
  let protocol: string | undefined;
  let destination: Cidr | undefined;
  let jump: string | undefined;
  const ports: number[] = [];
  let negate = false;
  for (let i = 2; i < t.length; i++) {
    const opt = t[i];
    if (opt === '!') {
      negate = true;
      continue;
    }
    const value = t[i + 1] ?? '';
    // A negated match selects "everything else": it narrows nothing we can use, so it is dropped.
    switch (opt) {
      case '-p':
      case '--protocol':
        if (!negate) protocol = value.toLowerCase();
        i++;
        break;
      case '-d':
      case '--destination':
        if (!negate) destination = destinationOf(value);
        i++;
        break;
      case '--dport':
      case '--destination-port':
      case '--dports':
      case '--destination-ports':
        if (!negate) ports.push(...portsOf(value));
        i++;
        break;
      case '-j':
      case '--jump':
        jump = value;
        i++;
        break;
      default:
        break;
    }
    negate = false;
  }
  return { chain: t[1], protocol, destination, ports, jump };
}

/**
 * Host ports forwarded by portmap in one family's nat table. Rules in the per-container CNI-DN-*
 * chains are authoritative (they carry `-d`); a CNI-HOSTPORT-DNAT rule counts, as a wildcard, only
 * when the chain it jumps to is not in the listing.
 */
export function natPortUses(rulesText: string, family: IPFamily): NatPortUse[] {
  const rules = rulesText
    .split('\n')
    .map(parseNatRule)
    .filter((r): r is NatRule => r !== undefined && (r.chain === HOSTPORT_DNAT_CHAIN || r.chain.startsWith(DN_CHAIN_PREFIX)));
  const listedChains = new Set(rules.filter((r) => r.chain.startsWith(DN_CHAIN_PREFIX) && r.ports.length > 0).map((r) => r.chain));
  const out: NatPortUse[] = [];
  for (const r of rules) {
    if (r.chain === HOSTPORT_DNAT_CHAIN && r.jump !== undefined && listedChains.has(r.jump)) continue;
    const scope = r.destination ? scopeOfNet(r.destination) : anyOf(family);
    for (const port of r.ports) out.push({ protocol: r.protocol, scope, port, chain: r.chain });
  }
  return out;
}
