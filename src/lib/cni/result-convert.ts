// Result version conversion, rule for rule as pkg/types/{020,040,100} register them.
import { NerdnetError } from '../errors.js';
import { familyOf, isResult020, isResult040, isResult100, VERSIONS_020, VERSIONS_040, VERSIONS_100 } from './result-types.js';
import type {
  DNS,
  IPConfig020,
  Result,
  Result020,
  Result040,
  Result100,
  ResultFor,
  Route,
  Version020,
  Version040,
  Version100,
} from './result-types.js';

type Family = '020' | '040' | '100';

function familyOfVersion(v: string): Family | undefined {
  if ((VERSIONS_020 as readonly string[]).includes(v)) return '020';
  if ((VERSIONS_040 as readonly string[]).includes(v)) return '040';
  if ((VERSIONS_100 as readonly string[]).includes(v)) return '100';
  return undefined;
}

function copyDNS(dns: DNS | undefined): DNS | undefined {
  return dns === undefined ? undefined : structuredClone(dns);
}

function withOptional<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) {
    const v = o[k];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) delete o[k];
  }
  return o;
}

// 0.1.0/0.2.0 -> 0.3.x/0.4.0: ip4 then ip6 become `ips`, their routes are concatenated, no interfaces.
function from020To040(r: Result020, to: Version040): Result040 {
  const ips: Result040['ips'] = [];
  const routes: Route[] = [];
  for (const [cfg, version] of [[r.ip4, '4'], [r.ip6, '6']] as const) {
    if (!cfg) continue;
    ips.push(withOptional({ version, address: cfg.ip, gateway: cfg.gateway }));
    routes.push(...structuredClone(cfg.routes ?? []));
  }
  return withOptional({ cniVersion: to, ips, routes, dns: copyDNS(r.dns) });
}

// 0.3.x/0.4.0 -> 0.1.0/0.2.0: first IP of each family; routes by dst family, only dst/gw, only if that family has an IP.
function from040To020(r: Result040, to: Version020): Result020 {
  let ip4: IPConfig020 | undefined;
  let ip6: IPConfig020 | undefined;
  for (const ip of r.ips ?? []) {
    if (ip.version === '4' && !ip4) ip4 = withOptional({ ip: ip.address, gateway: ip.gateway });
    else if (ip.version === '6' && !ip6) ip6 = withOptional({ ip: ip.address, gateway: ip.gateway });
  }
  for (const route of r.routes ?? []) {
    const target = familyOf(route.dst) === 4 ? ip4 : ip6;
    if (target) (target.routes ??= []).push(withOptional({ dst: route.dst, gw: route.gw }));
  }
  if (!ip4 && !ip6) throw new NerdnetError('ERR_VERSION', 'cannot convert: no valid IP addresses');
  return withOptional({ cniVersion: to, ip4, ip6, dns: copyDNS(r.dns) });
}

// 0.3.x/0.4.0 -> 1.x: drop ips[].version; interfaces keep name/mac/sandbox; routes copied whole.
function from040To100(r: Result040, to: Version100): Result100 {
  return withOptional({
    cniVersion: to,
    interfaces: r.interfaces?.map((i) => withOptional({ name: i.name, mac: i.mac, sandbox: i.sandbox })),
    ips: r.ips?.map((c) => withOptional({ interface: c.interface, address: c.address, gateway: c.gateway })),
    routes: structuredClone(r.routes),
    dns: copyDNS(r.dns),
  });
}

// 1.x -> 0.3.x/0.4.0: version from the address family; interfaces lose mtu/socketPath/pciID; routes keep every field.
function from100To040(r: Result100, to: Version040): Result040 {
  return withOptional({
    cniVersion: to,
    interfaces: r.interfaces?.map((i) => withOptional({ name: i.name, mac: i.mac, sandbox: i.sandbox })),
    ips: r.ips?.map((c) =>
      withOptional({
        version: familyOf(c.address) === 4 ? ('4' as const) : ('6' as const),
        interface: c.interface,
        address: c.address,
        gateway: c.gateway,
      }),
    ),
    routes: structuredClone(r.routes),
    dns: copyDNS(r.dns),
  });
}

function retag<T extends Result>(r: T, to: T['cniVersion']): T {
  return { ...structuredClone(r), cniVersion: to };
}

function convertTo(r: Result, to: string, toFamily: Family): Result {
  if (isResult020(r)) {
    if (toFamily === '020') return retag(r, to as Version020);
    if (toFamily === '040') return from020To040(r, to as Version040);
    return from040To100(from020To040(r, '0.4.0'), to as Version100);
  }
  if (isResult040(r)) {
    if (toFamily === '020') return from040To020(r, to as Version020);
    if (toFamily === '040') return retag(r, to as Version040);
    return from040To100(r, to as Version100);
  }
  const r100 = r;
  if (toFamily === '020') return from040To020(from100To040(r100, '0.4.0'), to as Version020);
  if (toFamily === '040') return from100To040(r100, to as Version040);
  return retag(r100, to as Version100);
}

/**
 * Convert a result to another spec version (spec 1.8). "" means 0.1.0; the same version returns a copy.
 * Errors (ERR_VERSION): `no converter for CNI result version X to Y`, `cannot convert: no valid IP addresses`.
 */
export function convertResult<V extends string>(result: Result, toVersion: V): ResultFor<V> {
  const to = toVersion === '' ? '0.1.0' : toVersion;
  const from = String(result.cniVersion);
  const toFamily = familyOfVersion(to);
  if (from === to && toFamily !== undefined) return structuredClone(result) as ResultFor<V>;
  const known = isResult020(result) || isResult040(result) || isResult100(result);
  if (!known || toFamily === undefined) {
    throw new NerdnetError('ERR_VERSION', `no converter for CNI result version ${from} to ${to}`);
  }
  return convertTo(result, to, toFamily) as ResultFor<V>;
}
