// /etc/hosts content: lines kept from outside the `# <nerdctl>` block, then the block with
// localhost, extra hosts and one line per address of every container sharing a network. Pure.
import { compareIP, formatIP, tryParseCIDR, unmapIPv4 } from '../ip/index.js';
import type { IP } from '../ip/index.js';
import type { HostsMeta } from './hosts-meta.js';

export const MARKER_BEGIN = '<nerdctl>';
export const MARKER_END = '</nerdctl>';
// The default network has no `.bridge` suffix (updater.go createLine).
export const DEFAULT_NETWORK = 'bridge';
const LOCALHOST_LINES = '127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n';

// Lines outside the marked block, normalized as nerdctl does (parseHostsButSkipMarkedRegion): trimmed,
// tabs → spaces; blank, comment, localhost, single-field and trailing-comment lines dropped.
export function parseHostsOutsideBlock(content: string): string[] {
  // Fast path for a file that is only our block: it starts with the begin line and the end marker
  // occurs once, on the last line (a variant end line elsewhere would have to contain it too).
  const end = `# ${MARKER_END}\n`;
  if (content.startsWith(`# ${MARKER_BEGIN}\n`) && content.indexOf(MARKER_END) === content.length - end.length + 2 && content.endsWith(end)) return [];
  const kept: string[] = [];
  let skip = false;
  for (const rawLine of content.split('\n')) {
    // bufio.ScanLines drops one trailing \r.
    const line = rawLine.replace(/\r$/, '').replace(/^[ \t]+|[ \t]+$/g, '').replace(/\t/g, ' ');
    let sawEnd = false;
    if (line.startsWith('#')) {
      const comment = line.slice(1).trim();
      if (comment === MARKER_BEGIN) skip = true;
      else if (comment === MARKER_END) sawEnd = true;
    }
    if (!skip && keepLine(line)) kept.push(line);
    if (sawEnd) skip = false;
  }
  return kept;
}

function keepLine(line: string): boolean {
  if (line === '' || line.startsWith(';') || line.startsWith('#')) return false;
  const space = line.indexOf(' ');
  if (space <= 0) return false;
  const first = line.slice(0, space);
  if (first === '127.0.0.1' || first === '::1') return false;
  const names = line.slice(space + 1).split(/\s+/).filter((f) => f !== '');
  return names.length > 0 && !names.some((n) => n.startsWith('#'));
}

// Go's "%-15s %s\n": the address padded to 15 columns, one space, the names.
export function hostsLine(ip: string, names: readonly string[]): string {
  return `${ip.padEnd(15)} ${names.join(' ')}\n`;
}

// Names for an address of `owner` on `network`, as seen by a container on `myNetworks` (createLine).
// Deviation: an empty hostname (CNI + --uts=host) yields no "" or ".net" names.
export function namesFor(owner: HostsMeta, network: string, myNetworks: ReadonlySet<string>): string[] {
  if (!myNetworks.has(network)) return [];
  const names: string[] = [];
  if (owner.Domainname !== '' && owner.Hostname !== '') names.push(`${owner.Hostname}.${owner.Domainname}`);
  for (const base of [owner.Hostname, owner.Name]) {
    if (base === '') continue;
    names.push(base);
    if (network !== DEFAULT_NETWORK) names.push(`${base}.${network}`);
  }
  return names;
}

export interface AddressEntry {
  ip: IP;
  text: string;
  owner: HostsMeta;
  network: string;
}

function usable(ip: IP): boolean {
  if (ip.family === 4) return ip.value >> 24n !== 127n && ip.value !== 0n;
  return ip.value !== 1n && ip.value !== 0n;
}

// Records in ID order (byte order, as Go compares strings).
export function compareByID(a: HostsMeta, b: HostsMeta): number {
  return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
}

// Phase 1: every non-loopback, specified address of every record on each of its networks → its owner.
// A repeated address is resolved per network: on one network the record whose ID sorts last wins
// (nerdctl's "last writer wins", made deterministic); on different networks both stay, each seen by
// that network's containers. Deviation: nerdctl keys by address alone, so a container on another
// network holding the same address (overlapping subnets) hides a peer's names.
export function indexAddresses(metas: readonly HostsMeta[]): Map<string, AddressEntry> {
  const index = new Map<string, AddressEntry>();
  for (const owner of [...metas].sort(compareByID)) {
    for (const network of Object.keys(owner.Networks ?? {}).sort()) {
      const ips = (owner.Networks?.[network] as { ips?: unknown } | undefined)?.ips;
      if (!Array.isArray(ips)) continue;
      for (const cfg of ips as Array<{ address?: unknown }>) {
        const parsed = typeof cfg?.address === 'string' ? tryParseCIDR(cfg.address) : undefined;
        if (!parsed) continue;
        const ip = unmapIPv4(parsed.ip);
        if (!usable(ip)) continue;
        const text = formatIP(ip);
        index.set(`${network} ${text}`, { ip, text, owner, network });
      }
    }
  }
  return index;
}

// The block for `self`. Order (nerdctl's is map-random): localhost; extra hosts by name; self's own
// addresses; then every peer address, each group in address order (IPv4 before IPv6, numeric).
export function buildHostsBlock(self: HostsMeta, index: ReadonlyMap<string, AddressEntry>): string {
  let out = blockHead(self);
  const myNetworks = new Set(Object.keys(self.Networks ?? {}));
  const lines: Array<{ entry: AddressEntry; names: string[] }> = [];
  for (const entry of index.values()) {
    const names = namesFor(entry.owner, entry.network, myNetworks);
    if (names.length > 0) lines.push({ entry, names });
  }
  const rank = (e: AddressEntry): number => (e.owner.ID === self.ID ? 0 : 1);
  lines.sort((a, b) => rank(a.entry) - rank(b.entry) || compareIP(a.entry.ip, b.entry.ip));
  for (const { entry, names } of lines) out += hostsLine(entry.text, names);
  return `${out}# ${MARKER_END}\n`;
}

// The block up to the container lines: the begin marker, localhost, extra hosts by name.
function blockHead(self: HostsMeta): string {
  let out = `# ${MARKER_BEGIN}\n${LOCALHOST_LINES}`;
  for (const host of Object.keys(self.ExtraHosts).sort()) out += hostsLine(self.ExtraHosts[host] ?? '', [host]);
  return out;
}

// The same blocks as buildHostsBlock for many containers of one index (a start regenerates every
// peer's file): the lines a set of networks sees are named, formatted and sorted once per distinct
// set, and each file's block is cut from them (own lines moved first) instead of being rebuilt.
export class HostsBlockRenderer {
  private readonly bySet = new Map<string, { text: string; starts: number[]; owners: string[] }>();

  constructor(private readonly index: ReadonlyMap<string, AddressEntry>) {}

  // Every line `networks` sees, in address order, joined; `starts[i]` is where line i begins.
  private linesFor(networks: string[]): { text: string; starts: number[]; owners: string[] } {
    const key = networks.join('/');
    let got = this.bySet.get(key);
    if (!got) {
      const mine = new Set(networks);
      const lines: Array<{ entry: AddressEntry; line: string }> = [];
      for (const entry of this.index.values()) {
        const names = namesFor(entry.owner, entry.network, mine);
        if (names.length > 0) lines.push({ entry, line: hostsLine(entry.text, names) });
      }
      lines.sort((a, b) => compareIP(a.entry.ip, b.entry.ip));
      const starts: number[] = [];
      let text = '';
      for (const l of lines) {
        starts.push(text.length);
        text += l.line;
      }
      starts.push(text.length);
      got = { text, starts, owners: lines.map((l) => l.entry.owner.ID) };
      this.bySet.set(key, got);
    }
    return got;
  }

  block(self: HostsMeta): string {
    const { text, starts, owners } = this.linesFor(Object.keys(self.Networks ?? {}).sort());
    let own = '';
    let rest = '';
    let from = 0;
    for (let i = 0; i < owners.length; i++) {
      if (owners[i] !== self.ID) continue;
      own += text.slice(starts[i], starts[i + 1]);
      rest += text.slice(from, starts[i]);
      from = starts[i + 1] ?? text.length;
    }
    rest += text.slice(from);
    return `${blockHead(self)}${own}${rest}# ${MARKER_END}\n`;
  }

  // renderHostsFile with this renderer; `maxBytes` drops kept lines from the end to fit the cap.
  file(current: string, self: HostsMeta, maxBytes?: number): string {
    return assembleHostsFile(parseHostsOutsideBlock(current), this.block(self), maxBytes);
  }
}

// Kept outside lines (each + "\n"), then the block. With `maxBytes`, only the kept lines that fit
// before the block within it (the block is never cut: it is what the peers' names depend on).
export function assembleHostsFile(kept: readonly string[], block: string, maxBytes = Infinity): string {
  if (maxBytes === Infinity) return kept.map((l) => `${l}\n`).join('') + block;
  let room = maxBytes - Buffer.byteLength(block);
  let out = '';
  for (const l of kept) {
    room -= Buffer.byteLength(l) + 1;
    if (room < 0) break;
    out += `${l}\n`;
  }
  return out + block;
}

// The new content of `self`'s hosts file given its current content.
export function renderHostsFile(current: string, self: HostsMeta, index: ReadonlyMap<string, AddressEntry>): string {
  return assembleHostsFile(parseHostsOutsideBlock(current), buildHostsBlock(self, index));
}
