// Checks of --mac-address, --ip and --ip6 against the resolved CNI networks, which nerdctl leaves to
// the plugins: there they fail at start with a long runtime error, after files were made, or are
// silently ignored (--ip6 on an IPv4-only network).
import { NerdnetError } from '../errors.js';
import type { ResolvedNetwork } from '../attachment/networks.js';
import { bitLength, compareIP, contains, firstUsable, formatCIDR, formatIP, ipEquals, lastAddress, lastUsable, networkAddress, parseCIDR, tryParseIP } from '../ip/index.js';
import type { Cidr, IP } from '../ip/index.js';
import type { NetworkRequest } from './types.js';

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

// A MAC an interface can have: six hex pairs, not multicast (broadcast is multicast too), not all zero.
function checkMac(mac: string): void {
  const hint = 'give a unicast address, e.g. 02:42:ac:11:00:02';
  if (!MAC.test(mac)) throw invalid(`invalid --mac-address ${JSON.stringify(mac)}: give six hex pairs, e.g. 02:42:ac:11:00:02`);
  const bytes = mac.split(':').map((h) => parseInt(h, 16));
  if (bytes.every((b) => b === 0xff)) throw invalid(`invalid --mac-address ${mac}: it is the broadcast address; ${hint}`);
  if (((bytes[0] ?? 0) & 1) === 1) throw invalid(`invalid --mac-address ${mac}: it is a multicast address (lowest bit of the first byte set); ${hint}`);
  if (bytes.every((b) => b === 0)) throw invalid(`invalid --mac-address ${mac}: the all-zero address is no interface's; ${hint}`);
}

// One pool host-local hands addresses out of: its subnet, first and last address, and the gateway it never gives.
interface Pool {
  subnet: Cidr;
  start: IP;
  end: IP;
  gateway: IP;
}

function poolOf(r: { subnet?: unknown; rangeStart?: unknown; rangeEnd?: unknown; gateway?: unknown }): Pool | undefined {
  if (typeof r.subnet !== 'string') return undefined;
  const subnet = parseCIDR(r.subnet).network;
  const given = (v: unknown): IP | undefined => (typeof v === 'string' ? tryParseIP(v) : undefined);
  // host-local's defaults: network+1 .. broadcast-1 (IPv6: the last address), gateway network+1;
  // a hand-written /31 or /32 has no such hosts, its whole subnet counts.
  const tiny = subnet.prefix > bitLength(subnet.family) - 2;
  const first = tiny ? networkAddress(subnet) : firstUsable(subnet);
  const last = tiny ? lastAddress(subnet) : lastUsable(subnet);
  return { subnet, start: given(r.rangeStart) ?? first, end: given(r.rangeEnd) ?? last, gateway: given(r.gateway) ?? first };
}

// The pools of every plugin's IPAM (ranges, and the legacy top-level subnet), and whether the network
// takes an address through the `ips` capability (bridge with --ipv6, static IPAM).
function poolsOf(n: ResolvedNetwork): { pools: Pool[]; ipsCapability: boolean } {
  const pools: Pool[] = [];
  let ipsCapability = false;
  for (const p of n.list.plugins) {
    ipsCapability ||= (p.raw.capabilities as { ips?: unknown } | undefined)?.ips === true;
    const ipam = p.raw.ipam as ({ ranges?: Array<Array<Record<string, unknown>>> } & Record<string, unknown>) | undefined;
    for (const r of [ipam ?? {}, ...(ipam?.ranges ?? []).flat()]) {
      const pool = poolOf(r);
      if (pool) pools.push(pool);
    }
  }
  return { pools, ipsCapability };
}

const span = (p: Pool): string => `${formatIP(p.start)}-${formatIP(p.end)}`;

// The address must be one host-local would give on every network that has pools of its family.
function checkAddress(flag: string, value: string, ip: IP, n: ResolvedNetwork, pools: readonly Pool[]): void {
  const inSubnet = pools.filter((p) => contains(p.subnet, ip));
  if (inSubnet.length === 0) {
    throw invalid(`${flag} ${value} is outside network "${n.requested}" (${pools.map((p) => formatCIDR(p.subnet)).join(', ')}): pick an address inside it or another network`);
  }
  if (inSubnet.every((p) => ipEquals(p.gateway, ip))) throw invalid(`${flag} ${value} is the gateway of network "${n.requested}": pick another address in ${inSubnet.map(span).join(', ')}`);
  if (!inSubnet.some((p) => compareIP(p.start, ip) <= 0 && compareIP(ip, p.end) <= 0)) {
    throw invalid(`${flag} ${value} is outside the addresses network "${n.requested}" hands out (${inSubnet.map(span).join(', ')}): pick one inside that range`);
  }
}

/** Refuse a MAC, --ip or --ip6 the networks' plugins would reject or ignore. */
export function checkNetworkRequest(req: NetworkRequest, networks: readonly ResolvedNetwork[]): void {
  if (req.mac !== undefined) {
    checkMac(req.mac);
    for (const n of networks) {
      const t = n.list.plugins[0]?.type ?? '';
      if (t !== 'bridge' && t !== 'macvlan') throw invalid(`network type "${t}" is not supported for network mapping "${n.requested}", must be one of: [bridge macvlan]`);
    }
  }
  for (const [flag, value, family] of [['--ip', req.ip, 4], ['--ip6', req.ip6, 6]] as const) {
    if (value === undefined) continue;
    const ip = tryParseIP(value);
    if (value.includes('/')) throw invalid(`invalid ${flag} ${JSON.stringify(value)}: give an address without a prefix length, e.g. ${value.split('/')[0] ?? ''}; the network's subnet sets it`);
    if (!ip || ip.family !== family) throw invalid(`invalid ${flag} ${JSON.stringify(value)}: give an IPv${family} address`);
    for (const n of networks) {
      const { pools, ipsCapability } = poolsOf(n);
      const mine = pools.filter((p) => p.subnet.family === family);
      // host-local fails an address it has no range of that family for ("failed to allocate all
      // requested IPs"); the hook hands --ip6 over as the `ips` capability, which only --ipv6 and
      // static networks declare, and is ignored by the others.
      if ((pools.length > 0 && mine.length === 0) || (family === 6 && !ipsCapability)) {
        const fix = family === 6 ? 'create a network with --ipv6 (and an IPv6 --subnet)' : 'pick a network with an IPv4 subnet';
        throw invalid(`${flag} ${value} cannot be used on network "${n.requested}": it has no IPv${family} subnet; ${fix} or drop ${flag}`);
      }
      if (mine.length > 0) checkAddress(flag, value, ip, n, mine);
    }
  }
}
