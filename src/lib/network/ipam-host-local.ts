// host-local IPAM generation: subnets (given or automatic), gateways, ip-ranges and
// aux-addresses paired per subnet, as range sets. Pure: what is "used" is passed in.
import { NerdnetError } from '../errors.js';
import {
  cidrParseError, compareIP, contains, findFreeSubnet, firstUsable, formatCIDR, formatIP, hasHostBits, ipEquals,
  ipParseError, lastAddress, lastUsable, networkAddress, nextIP, overlaps, prevIP, tryParseCIDR, tryParseIP,
  type Cidr, type IP,
} from '../ip/index.js';

/** A subnet that is taken, and by what (for the error message). */
export interface UsedSubnet {
  cidr: Cidr;
  source: string;
}

export interface HostLocalRequest {
  subnets: readonly string[];
  gateways: readonly string[];
  ipRanges: readonly string[];
  auxAddresses: readonly string[];
  ipv4: boolean;
  ipv6: boolean;
  internal: boolean;
}

export interface SubnetPolicy {
  // Neither given nor automatic subnets may overlap these (conflists of every namespace, host addresses).
  used: readonly UsedSubnet[];
  // Automatic subnets also avoid these.
  autoAvoid: readonly Cidr[];
  // First candidate of the automatic walk, default 10.4.1.0/24; the walk never leaves its private block.
  autoStart: string;
}

export interface RangeObject {
  subnet: string;
  rangeStart?: string;
  rangeEnd?: string;
  gateway?: string;
  ipRange?: string;
}

export interface HostLocalIPAM {
  ranges: RangeObject[][];
  routes?: Array<{ dst: string }>;
  subnets: Cidr[];
  // {"<subnet>": {"<name>": "<ip>"}} for the aux label, undefined when no aux-address was given.
  aux?: Record<string, Record<string, string>>;
}

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

function parseSubnet(s: string, req: HostLocalRequest): Cidr {
  const p = tryParseCIDR(s);
  if (!p) throw invalid(`invalid --subnet "${s}": ${cidrParseError(s)}; write it like 10.5.0.0/16 or fd00:5::/64`);
  if (hasHostBits(p)) throw invalid(`unexpected subnet "${s}", maybe you meant "${formatCIDR(p.network)}"?`);
  // nerdctl drops an IPv6 subnet silently without --ipv6: say so instead.
  if (p.network.family === 6 && !req.ipv6) throw invalid(`IPv6 subnet ${s} needs --ipv6; add --ipv6 to create a dual-stack or IPv6 network`);
  if (p.network.family === 4 && !req.ipv4) throw invalid('--ipv4=false conflicts with an IPv4 subnet');
  try {
    firstUsable(p.network);
  } catch (e) {
    throw invalid(`invalid --subnet "${s}": ${(e as Error).message}`);
  }
  return p.network;
}

function checkFree(net: Cidr, used: readonly UsedSubnet[], chosen: readonly Cidr[]): void {
  const hit = used.find((u) => overlaps(u.cidr, net));
  if (hit) throw new NerdnetError('ERR_IN_USE', `subnet ${formatCIDR(net)} overlaps with ${hit.source}; choose another --subnet`);
  const mine = chosen.find((c) => overlaps(c, net));
  if (mine) throw invalid(`subnets ${formatCIDR(mine)} and ${formatCIDR(net)} overlap; give non-overlapping --subnet values`);
}

function autoSubnet(policy: SubnetPolicy, chosen: readonly Cidr[]): Cidr {
  try {
    return findFreeSubnet({ start: policy.autoStart, used: [...policy.used.map((u) => u.cidr), ...policy.autoAvoid, ...chosen] });
  } catch (e) {
    throw new NerdnetError(NerdnetError.is(e) ? e.code : 'ERR_IN_USE', `cannot choose a subnet automatically: ${(e as Error).message} with --subnet`, { cause: e });
  }
}

function parseAux(values: readonly string[]): Map<string, IP> {
  const out = new Map<string, IP>();
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw invalid(`invalid --aux-address "${v}": write name=IP, e.g. router=10.5.0.2`);
    const [name, ipText] = [v.slice(0, eq), v.slice(eq + 1)];
    if (ipText === '') continue;
    const ip = tryParseIP(ipText);
    if (!ip) throw invalid(`invalid aux-address "${ipText}": ${ipParseError(ipText)}`);
    out.delete(name);
    out.set(name, ip);
  }
  return out;
}

// The range object of one subnet (parseIPAMRange) with the paired gateway and ip-range.
function buildRange(net: Cidr, gateway: string | undefined, ipRange: string | undefined): { range: RangeObject; gw: IP } {
  const range: RangeObject = { subnet: formatCIDR(net) };
  let gw = firstUsable(net);
  if (gateway !== undefined) {
    gw = tryParseIP(gateway) as IP;
    // host-local would hand the network/broadcast address to the bridge; refuse it here.
    if (ipEquals(gw, networkAddress(net)) || (net.family === 4 && ipEquals(gw, lastAddress(net)))) {
      throw invalid(`gateway ${gateway} is the ${ipEquals(gw, networkAddress(net)) ? 'network' : 'broadcast'} address of ${formatCIDR(net)}; use a host address such as ${formatIP(firstUsable(net))}`);
    }
  }
  range.gateway = formatIP(gw);
  if (ipRange !== undefined) {
    const r = tryParseCIDR(ipRange)?.network as Cidr;
    const start = nextIP(networkAddress(r));
    let end = lastAddress(r);
    // nerdctl ends the range on the subnet's broadcast address, which host-local would then hand out.
    if (net.family === 4 && ipEquals(end, lastAddress(net))) end = lastUsable(net);
    if (!start || !contains(net, start) || !contains(net, end) || compareIP(start, end) > 0) {
      throw invalid(`no matching subnet "${formatCIDR(net)}" for ip-range "${ipRange}": the range must lie inside the subnet and hold at least one address`);
    }
    Object.assign(range, { rangeStart: formatIP(start), rangeEnd: formatIP(end), ipRange });
  }
  return { range, gw };
}

// Carve reserved addresses out of the allocation window (splitIPAMRange).
function carve(net: Cidr, range: RangeObject, reserved: IP[]): RangeObject[] {
  if (reserved.length === 0) return [range];
  const ws = range.rangeStart ? (tryParseIP(range.rangeStart) as IP) : firstUsable(net);
  const we = range.rangeEnd ? (tryParseIP(range.rangeEnd) as IP) : lastUsable(net);
  const inside = reserved.filter((ip) => compareIP(ip, ws) >= 0 && compareIP(ip, we) <= 0).sort(compareIP);
  const blocks: Array<[IP, IP]> = [];
  let cur: IP | undefined = ws;
  for (const r of inside) {
    if (cur && compareIP(r, cur) > 0) blocks.push([cur, prevIP(r) as IP]);
    if (cur && compareIP(r, cur) >= 0) cur = nextIP(r);
  }
  if (cur && compareIP(cur, we) <= 0) blocks.push([cur, we]);
  if (blocks.length === 0) throw invalid(`aux-address reservations leave no allocatable IPs in subnet ${formatCIDR(net)}`);
  return blocks.map(([s, e], i) => ({
    subnet: range.subnet,
    rangeStart: formatIP(s),
    rangeEnd: formatIP(e),
    ...(range.gateway ? { gateway: range.gateway } : {}),
    ...(i === 0 && range.ipRange ? { ipRange: range.ipRange } : {}),
  }));
}

function checkPreconditions(req: HostLocalRequest): void {
  if (!req.ipv4 && !req.ipv6) throw invalid('IPv4 or IPv6 must be enabled');
  if (req.subnets.length > 0) return;
  if (!req.ipv4) throw invalid('IPv6-only network requires an IPv6 subnet, specify --subnet manually');
  const aux = [...parseAux(req.auxAddresses).values()].map(formatIP).sort();
  if (aux.length > 0) throw invalid(`no matching subnet for aux-address ${aux[0]}; add a --subnet that contains it`);
  if (req.gateways.length > 0 || req.ipRanges.length > 0) throw invalid('cannot set gateway or ip-range without subnet, specify --subnet manually');
}

// generateIPAM for host-local: ranges in request order, then an automatic IPv4 set if none was given.
export function generateHostLocal(req: HostLocalRequest, policy: SubnetPolicy): HostLocalIPAM {
  checkPreconditions(req);
  const subnets: Cidr[] = [];
  for (const s of req.subnets) {
    const net = parseSubnet(s, req);
    checkFree(net, policy.used, subnets);
    subnets.push(net);
  }
  if (req.ipv6 && !subnets.some((n) => n.family === 6)) throw invalid('--ipv6 needs an IPv6 --subnet, e.g. --subnet fd00:5::/64');
  const gateways = req.gateways.map((g) => {
    if (!tryParseIP(g)) throw invalid(`invalid --gateway "${g}": ${ipParseError(g)}`);
    return tryParseIP(g) as IP;
  });
  const ranges = req.ipRanges.map((r) => {
    const p = tryParseCIDR(r);
    if (!p) throw invalid(`invalid --ip-range "${r}": ${cidrParseError(r)}; write it like 10.5.1.0/24`);
    return p.network;
  });
  const aux = parseAux(req.auxAddresses);
  const usedGw = new Set<number>();
  const usedRange = new Set<number>();
  const matchedAux = new Set<string>();
  const out: RangeObject[][] = [];
  let auxBySubnet: Record<string, Record<string, string>> | undefined;
  for (const net of subnets) {
    const gi = gateways.findIndex((g, j) => !usedGw.has(j) && contains(net, g));
    const ri = ranges.findIndex((r, j) => !usedRange.has(j) && contains(net, networkAddress(r)));
    if (gi >= 0) usedGw.add(gi);
    if (ri >= 0) usedRange.add(ri);
    const { range, gw } = buildRange(net, gi >= 0 ? req.gateways[gi] : undefined, ri >= 0 ? req.ipRanges[ri] : undefined);
    const reserved: IP[] = [];
    const named: Record<string, string> = {};
    for (const [name, ip] of aux) {
      if (matchedAux.has(name) || !contains(net, ip)) continue;
      matchedAux.add(name);
      if (ipEquals(ip, networkAddress(net)) || ipEquals(ip, gw)) {
        throw new NerdnetError('ERR_IN_USE', `failed to allocate secondary ip address (${name}:${formatIP(ip)}): Address already in use`);
      }
      named[name] = formatIP(ip);
      reserved.push(ip);
    }
    if (reserved.length > 0) (auxBySubnet ??= {})[range.subnet] = named;
    out.push(carve(net, range, reserved));
  }
  const lostGw = req.gateways.find((_, j) => !usedGw.has(j));
  if (lostGw !== undefined) throw invalid(`no matching subnet for gateway "${lostGw}": each --gateway must lie inside one --subnet (${subnets.map(formatCIDR).join(', ')})`);
  const lostRange = req.ipRanges.find((_, j) => !usedRange.has(j));
  if (lostRange !== undefined) throw invalid(`no matching subnet for ip-range "${lostRange}": each --ip-range must start inside one --subnet (${subnets.map(formatCIDR).join(', ')})`);
  const lostAux = [...aux].filter(([n]) => !matchedAux.has(n)).map(([, ip]) => formatIP(ip)).sort();
  if (lostAux.length > 0) throw invalid(`no matching subnet for aux-address ${lostAux[0]}; add a --subnet that contains it`);
  if (req.ipv4 && !subnets.some((n) => n.family === 4)) {
    const net = autoSubnet(policy, subnets);
    subnets.push(net);
    out.push([{ subnet: formatCIDR(net), gateway: formatIP(firstUsable(net)) }]);
  }
  const result: HostLocalIPAM = { ranges: out, subnets };
  if (!req.internal) result.routes = [{ dst: req.ipv4 ? '0.0.0.0/0' : '::/0' }];
  if (auxBySubnet) result.aux = auxBySubnet;
  return result;
}
