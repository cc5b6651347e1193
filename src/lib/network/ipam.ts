// IPAM object per --ipam-driver: host-local (default), dhcp, and static, whose
// addresses come from --ip/--ip6 at run time through the `ips` capability.
import { NerdnetError } from '../errors.js';
import { isPlainObject } from '../cni/result-types.js';
import type { Cidr } from '../ip/index.js';
import { goKeyCompare, sortKeysDeep, type OrderedObject } from './gojson.js';
import { generateHostLocal, type HostLocalRequest, type SubnetPolicy } from './ipam-host-local.js';

export const IPAM_DRIVERS = ['default', 'host-local', 'dhcp', 'static'] as const;
export type IpamDriver = (typeof IPAM_DRIVERS)[number];

export interface IpamRequest extends HostLocalRequest {
  driver: string;
  // --ipam-opt NAME=JSON, dhcp only.
  options: ReadonlyMap<string, string>;
  dhcpSocketPath: string;
}

export interface IpamPlan {
  // The `ipam` object with keys sorted as Go writes a map.
  ipam: OrderedObject;
  type: 'host-local' | 'dhcp' | 'static';
  subnets: Cidr[];
  aux?: Record<string, Record<string, string>>;
}

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

export function checkIpamDriver(driver: string): IpamDriver {
  if (!(IPAM_DRIVERS as readonly string[]).includes(driver)) {
    throw invalid(`unsupported ipam driver "${driver}"; use default (host-local), dhcp or static`);
  }
  return driver as IpamDriver;
}

// nerdctl silently ignores subnet flags for dhcp and --ipam-opt for host-local: refuse them.
function refuseUnused(req: IpamRequest, type: string): void {
  if (type !== 'host-local') {
    const given = (['subnets', 'gateways', 'ipRanges', 'auxAddresses'] as const).filter((k) => req[k].length > 0);
    const flag = { subnets: '--subnet', gateways: '--gateway', ipRanges: '--ip-range', auxAddresses: '--aux-address' };
    if (given.length > 0) {
      const why = type === 'dhcp' ? 'the DHCP server assigns the addresses' : 'addresses come from --ip/--ip6 (with a prefix, e.g. 10.5.0.7/24) at run time';
      throw invalid(`${given.map((k) => flag[k]).join(', ')} cannot be used with --ipam-driver ${req.driver}: ${why}`);
    }
    if (req.ipv6 && type === 'dhcp') throw invalid('--ipv6 cannot be used with --ipam-driver dhcp: the dhcp plugin only leases IPv4 addresses');
  }
  if (type !== 'dhcp' && req.options.size > 0) {
    throw invalid(`--ipam-opt ${[...req.options.keys()].join(', ')}: IPAM options apply only to --ipam-driver dhcp`);
  }
}

interface DhcpOption {
  type?: unknown;
  value?: unknown;
  fromArg?: unknown;
  skipDefault?: unknown;
}

// dhcp: a provide entry for host-name from the hook's CNI arg, then the user's options.
function dhcpIpam(options: ReadonlyMap<string, string>, socketPath: string): OrderedObject {
  const opts = new Map<string, string>([['host-name', '{"type": "provide", "fromArg": "NERDCTL_CNI_DHCP_HOSTNAME"}'], ...options]);
  const provide: Array<Record<string, unknown>> = [];
  const request: Array<Record<string, unknown>> = [];
  // Go ranges over a map here (random order); sorting makes the bytes reproducible.
  for (const [name, text] of [...opts].sort(([a], [b]) => goKeyCompare(a, b))) {
    let o: DhcpOption;
    try {
      o = JSON.parse(text) as DhcpOption;
      if (!isPlainObject(o)) throw new Error('not an object');
      for (const k of ['value', 'fromArg'] as const) if (o[k] !== undefined && typeof o[k] !== 'string') throw new Error(k);
      if (o.skipDefault !== undefined && typeof o.skipDefault !== 'boolean') throw new Error('skipDefault');
    } catch {
      throw invalid(`unparsable ipam option ${name} ${JSON.stringify(text)}: give JSON like {"type":"provide","value":"x"} or {"type":"request","skipDefault":false}`);
    }
    if (o.type === 'provide') provide.push({ option: name, value: o.value ?? '', fromArg: o.fromArg ?? '' });
    else if (o.type === 'request') request.push({ option: name, skipDefault: o.skipDefault ?? false });
    else throw invalid(`ipam option must have a type (provide or request): ${name}=${text}`);
  }
  // The dhcp plugin's own option structs have no omitempty: every key is written.
  return sortKeysDeep({ type: 'dhcp', daemonSocketPath: socketPath, provide, request: request.length > 0 ? request : null }) as OrderedObject;
}

export function generateIpam(req: IpamRequest, policy: SubnetPolicy): IpamPlan {
  const driver = checkIpamDriver(req.driver);
  const type = driver === 'default' ? 'host-local' : driver;
  refuseUnused(req, type);
  if (type === 'dhcp') return { ipam: dhcpIpam(req.options, req.dhcpSocketPath), type, subnets: [] };
  if (type === 'static') return { ipam: new Map([['type', 'static']]), type, subnets: [] };
  const hl = generateHostLocal(req, policy);
  const ipam: Record<string, unknown> = { type: 'host-local', ranges: hl.ranges };
  if (hl.routes) ipam.routes = hl.routes;
  return { ipam: sortKeysDeep(ipam) as OrderedObject, type, subnets: hl.subnets, ...(hl.aux ? { aux: hl.aux } : {}) };
}
