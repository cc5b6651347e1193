// The responder's name table, built from hosts store records (etchosts/<ns>/<id>/meta.json): per
// network, each container's name, hostname, aliases and 12-hex short ID, bare and as `x.<network>`,
// to its addresses on that network; PTR names for those addresses; and which networks each source
// address (the asker) is on. Pure apart from loadDnsRecords.
import { formatIP, parseIP, tryParseIP, unmapIPv4 } from '../ip/index.js';
import { indexAddresses } from '../etc/hosts-file.js';
import { HostsStore } from '../etc/hosts-store.js';
import type { HostsMeta } from '../etc/hosts-meta.js';
import type { Logger } from '../etc/types.js';
import { DataStoreLayout } from '../store/layout.js';

// A container as the responder sees it: its hosts store record, plus per-network aliases
// (`--network-alias`; meta.json does not carry them yet, so they are empty for now).
export interface DnsRecord {
  meta: HostsMeta;
  aliases?: Readonly<Record<string, readonly string[]>>;
}

export interface NameTableOptions {
  // Networks the responder serves; records on other networks are ignored (default: every network).
  networks?: ReadonlySet<string>;
  // Networks whose containers get no forwarding (`--internal`).
  internal?: ReadonlySet<string>;
}

// Addresses of one name, by family, in the order the table found them (deduplicated).
export interface NameAddresses {
  v4: string[];
  v6: string[];
}

interface NetworkNames {
  names: Map<string, NameAddresses>;
  // Address text -> the PTR target, `<first name>.<network>` (Docker's).
  ptr: Map<string, string>;
}

// The lower-case key of a query name: trailing dot dropped.
export function nameKey(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}

// The address a PTR query name stands for (`4.3.2.1.in-addr.arpa`, nibbles under `ip6.arpa`), or undefined.
export function ptrAddress(qname: string): string | undefined {
  const key = nameKey(qname);
  if (key.endsWith('.in-addr.arpa')) {
    const parts = key.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().join('.');
  }
  if (key.endsWith('.ip6.arpa')) {
    const nibbles = key.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    return formatIP(parseIP(hex.match(/.{4}/g)!.join(':')));
  }
  return undefined;
}

function add(names: Map<string, NameAddresses>, name: string, ip: string, family: 4 | 6): void {
  const key = nameKey(name);
  let entry = names.get(key);
  if (!entry) names.set(key, (entry = { v4: [], v6: [] }));
  const list = family === 4 ? entry.v4 : entry.v6;
  if (!list.includes(ip)) list.push(ip);
}

// A record's own names on `network`: name, hostname (and hostname.domainname), aliases, short ID.
function baseNames(record: DnsRecord, network: string): string[] {
  const { meta } = record;
  const out: string[] = [];
  if (meta.Name !== '') out.push(meta.Name);
  if (meta.Hostname !== '') {
    out.push(meta.Hostname);
    if (meta.Domainname !== '') out.push(`${meta.Hostname}.${meta.Domainname}`);
  }
  out.push(...(record.aliases?.[network] ?? []));
  if (meta.ID.length >= 12) out.push(meta.ID.slice(0, 12));
  return out;
}

// Where a query is answered from: a known asker's networks, else the receiving listener's.
export interface AskerScope {
  networks: string[];
  // True when forwarding is allowed (some network of the scope is not internal).
  forward: boolean;
}

export class NameTable {
  private readonly byNetwork = new Map<string, NetworkNames>();
  // Source address -> the networks of every record holding it.
  private readonly askers = new Map<string, Set<string>>();
  private readonly internal: ReadonlySet<string>;
  readonly records: number;

  constructor(records: readonly DnsRecord[], opts: NameTableOptions = {}) {
    this.internal = opts.internal ?? new Set();
    const served = (n: string): boolean => opts.networks === undefined || opts.networks.has(n);
    const byID = new Map(records.map((r) => [r.meta.ID, r]));
    const metas = records.map((r) => r.meta);
    let counted = 0;
    const seen = new Set<string>();
    // indexAddresses: the hosts files' rule for the same address twice on one network (last ID wins).
    for (const entry of indexAddresses(metas).values()) {
      if (!served(entry.network)) continue;
      const record = byID.get(entry.owner.ID)!;
      if (!seen.has(entry.owner.ID)) {
        seen.add(entry.owner.ID);
        counted++;
      }
      let net = this.byNetwork.get(entry.network);
      if (!net) this.byNetwork.set(entry.network, (net = { names: new Map(), ptr: new Map() }));
      const bases = baseNames(record, entry.network);
      for (const base of bases) {
        add(net.names, base, entry.text, entry.ip.family);
        add(net.names, `${base}.${entry.network}`, entry.text, entry.ip.family);
      }
      if (bases.length > 0) net.ptr.set(entry.text, `${nameKey(bases[0]!)}.${entry.network}`);
      let asker = this.askers.get(entry.text);
      if (!asker) this.askers.set(entry.text, (asker = new Set()));
      for (const n of Object.keys(entry.owner.Networks ?? {})) if (served(n)) asker.add(n);
    }
    this.records = counted;
  }

  // The scope of a query from `source` (address text) received on a listener serving `via`.
  scopeOf(source: string, via: readonly string[]): AskerScope {
    const parsed = tryParseIP(source);
    const key = parsed ? formatIP(unmapIPv4(parsed)) : source;
    const known = this.askers.get(key);
    const networks = known ? [...known].sort() : [...via].sort();
    return { networks, forward: networks.length === 0 || networks.some((n) => !this.internal.has(n)) };
  }

  // The addresses of `qname` on the scope's networks, their union in network order; undefined when
  // no network of the scope has the name.
  lookup(scope: AskerScope, qname: string): NameAddresses | undefined {
    const key = nameKey(qname);
    let out: NameAddresses | undefined;
    for (const n of scope.networks) {
      const found = this.byNetwork.get(n)?.names.get(key);
      if (!found) continue;
      out ??= { v4: [], v6: [] };
      for (const ip of found.v4) if (!out.v4.includes(ip)) out.v4.push(ip);
      for (const ip of found.v6) if (!out.v6.includes(ip)) out.v6.push(ip);
    }
    return out;
  }

  // The PTR target for an address on the first of the scope's networks that has it.
  ptr(scope: AskerScope, address: string): string | undefined {
    for (const n of scope.networks) {
      const name = this.byNetwork.get(n)?.ptr.get(address);
      if (name !== undefined) return name;
    }
    return undefined;
  }
}

// A hosts store to read: a data store root (`<dataRoot>/<hash>`) and a namespace.
export interface RecordSource {
  dataStore: string;
  namespace: string;
}

// Every usable record of the sources, read under the hosts store's lock (corrupt ones are logged).
export async function loadDnsRecords(sources: readonly RecordSource[], logger?: Logger): Promise<DnsRecord[]> {
  const out: DnsRecord[] = [];
  for (const src of sources) {
    const store = new HostsStore({ layout: new DataStoreLayout(src.dataStore), ...(logger ? { logger } : {}) });
    for (const meta of await store.list(src.namespace)) out.push({ meta, aliases: {} });
  }
  return out;
}
