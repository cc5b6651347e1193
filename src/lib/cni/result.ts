// Typed CNI results: lenient parsing of plugin/cached output and strict Go-shaped emission.
import { NerdnetError } from '../errors.js';
import {
  canonicalCIDR,
  canonicalIP,
  describeJson,
  isPlainObject,
  isResult020,
  isResult040,
  jsonErrorText,
  jsonField,
  VERSIONS_020,
  VERSIONS_040,
  VERSIONS_100,
} from './result-types.js';
import type {
  DNS,
  Interface040,
  Interface100,
  IPConfig020,
  IPConfig040,
  IPConfig100,
  JsonResultObject,
  JsonValue,
  Result,
  Result020,
  Result040,
  Result100,
  Route,
  Version020,
  Version040,
  Version100,
} from './result-types.js';
import { decodeConfigVersion } from './version.js';

export * from './result-types.js';
export { convertResult } from './result-convert.js';

type Obj = Record<string, unknown>;

function fail(path: string, problem: string): never {
  throw new NerdnetError('ERR_PLUGIN_FAILED', `invalid CNI result: ${path}: ${problem}`);
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

// null and absent are the same to Go's decoder (zero value).
function field(obj: Obj, key: string): unknown {
  const v = jsonField(obj, key);
  return v === null ? undefined : v;
}

function optObject(obj: Obj, key: string, path: string): Obj | undefined {
  const v = field(obj, key);
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) fail(child(path, key), `expected an object, got ${describeJson(v)}`);
  return v;
}

function optArray(obj: Obj, key: string, path: string): unknown[] | undefined {
  const v = field(obj, key);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) fail(child(path, key), `expected an array, got ${describeJson(v)}`);
  return v as unknown[];
}

// Go's omitempty: "" is the same as absent.
function optString(obj: Obj, key: string, path: string): string | undefined {
  const v = field(obj, key);
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') fail(child(path, key), `expected a string, got ${describeJson(v)}`);
  return v;
}

function optInt(obj: Obj, key: string, path: string): number | undefined {
  const v = field(obj, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(child(path, key), `expected an integer, got ${describeJson(v)}`);
  return v;
}

function optNonZeroInt(obj: Obj, key: string, path: string): number | undefined {
  const v = optInt(obj, key, path);
  return v === 0 ? undefined : v;
}

function optStringList(obj: Obj, key: string, path: string): string[] | undefined {
  const list = optArray(obj, key, path);
  if (list === undefined) return undefined;
  list.forEach((v, i) => {
    if (typeof v !== 'string') fail(`${child(path, key)}[${i}]`, `expected a string, got ${describeJson(v)}`);
  });
  return list.length > 0 ? (list as string[]) : undefined;
}

function cidr(obj: Obj, key: string, path: string): string {
  const v = field(obj, key);
  const p = child(path, key);
  if (v === undefined) fail(p, 'missing CIDR address');
  if (typeof v !== 'string') fail(p, `expected a CIDR string, got ${describeJson(v)}`);
  const c = canonicalCIDR(v);
  if (!c) fail(p, `invalid CIDR address: ${v}`);
  return c.text;
}

// Go's net.IP decodes "" as no address.
function optIP(obj: Obj, key: string, path: string): string | undefined {
  const v = optString(obj, key, path);
  if (v === undefined) return undefined;
  const ip = canonicalIP(v);
  if (!ip) fail(child(path, key), `invalid IP address: ${v}`);
  return ip.text;
}

function entryObject(v: unknown, path: string): Obj {
  if (!isPlainObject(v)) fail(path, `expected an object, got ${describeJson(v)}`);
  return v;
}

// Assign only defined values so parsed objects have no `undefined` keys (stable deepEqual, like Go's omitempty).
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function parseRoute(v: unknown, path: string): Route {
  const o = entryObject(v, path);
  return compact({
    dst: cidr(o, 'dst', path),
    gw: optIP(o, 'gw', path),
    mtu: optNonZeroInt(o, 'mtu', path),
    advmss: optNonZeroInt(o, 'advmss', path),
    priority: optNonZeroInt(o, 'priority', path),
    table: optInt(o, 'table', path),
    scope: optInt(o, 'scope', path),
  });
}

// Null ips/routes entries are skipped as libcni HEAD does; a null interface is an error (dropping it would shift indexes).
function parseList<T>(obj: Obj, key: string, path: string, parse: (v: unknown, p: string) => T, skipNull = true): T[] | undefined {
  const list = optArray(obj, key, path);
  if (list === undefined) return undefined;
  const out: T[] = [];
  list.forEach((v, i) => {
    if (v !== null || !skipNull) out.push(parse(v, `${child(path, key)}[${i}]`));
  });
  return out.length > 0 ? out : undefined;
}

// An empty `"dns":{}` (Debian plugins) parses to no dns at all.
function parseDNS(obj: Obj, path: string): DNS | undefined {
  const o = optObject(obj, 'dns', path);
  if (o === undefined) return undefined;
  const p = child(path, 'dns');
  const dns = compact<DNS>({
    nameservers: optStringList(o, 'nameservers', p),
    domain: optString(o, 'domain', p),
    search: optStringList(o, 'search', p),
    options: optStringList(o, 'options', p),
  });
  return Object.keys(dns).length > 0 ? dns : undefined;
}

function interfaceName(o: Obj, path: string): string {
  const v = field(o, 'name');
  if (typeof v !== 'string') fail(child(path, 'name'), v === undefined ? 'missing interface name' : `expected a string, got ${describeJson(v)}`);
  return v;
}

function interfaceIndex(o: Obj, path: string): number | undefined {
  const v = optInt(o, 'interface', path);
  if (v !== undefined && v < 0) fail(child(path, 'interface'), `expected an index >= 0, got ${v}`);
  return v;
}

function parseInterface100(v: unknown, path: string): Interface100 {
  const o = entryObject(v, path);
  return compact({
    name: interfaceName(o, path),
    mac: optString(o, 'mac', path),
    mtu: optNonZeroInt(o, 'mtu', path),
    sandbox: optString(o, 'sandbox', path),
    socketPath: optString(o, 'socketPath', path),
    pciID: optString(o, 'pciID', path),
  });
}

function parseInterface040(v: unknown, path: string): Interface040 {
  const o = entryObject(v, path);
  return compact({ name: interfaceName(o, path), mac: optString(o, 'mac', path), sandbox: optString(o, 'sandbox', path) });
}

function parseIPConfig100(v: unknown, path: string): IPConfig100 {
  const o = entryObject(v, path);
  return compact({ interface: interfaceIndex(o, path), address: cidr(o, 'address', path), gateway: optIP(o, 'gateway', path) });
}

// `version` is derived from the address: Debian's loopback omits it; the address is authoritative.
function parseIPConfig040(v: unknown, path: string): IPConfig040 {
  const o = entryObject(v, path);
  const declared = optString(o, 'version', path);
  if (declared !== undefined && declared !== '4' && declared !== '6') {
    fail(child(path, 'version'), `expected "4" or "6", got ${describeJson(declared)}`);
  }
  const address = cidr(o, 'address', path);
  return compact({
    version: address.includes(':') ? ('6' as const) : ('4' as const),
    interface: interfaceIndex(o, path),
    address,
    gateway: optIP(o, 'gateway', path),
  });
}

function parseIPConfig020(obj: Obj, key: string): IPConfig020 | undefined {
  const o = optObject(obj, key, '');
  if (o === undefined) return undefined;
  return compact({ ip: cidr(o, 'ip', key), gateway: optIP(o, 'gateway', key), routes: parseList(o, 'routes', key, parseRoute) });
}

function parse100(o: Obj, cniVersion: Version100): Result100 {
  return compact({
    cniVersion,
    interfaces: parseList(o, 'interfaces', '', parseInterface100, false),
    ips: parseList(o, 'ips', '', parseIPConfig100),
    routes: parseList(o, 'routes', '', parseRoute),
    dns: parseDNS(o, ''),
  });
}

function parse040(o: Obj, cniVersion: Version040): Result040 {
  // SPEC 0.3.0 named the list `ip` by mistake; accept it when `ips` is absent.
  const ipsKey = cniVersion === '0.3.0' && field(o, 'ips') === undefined && Array.isArray(field(o, 'ip')) ? 'ip' : 'ips';
  return compact({
    cniVersion,
    interfaces: parseList(o, 'interfaces', '', parseInterface040, false),
    ips: parseList(o, ipsKey, '', parseIPConfig040),
    routes: parseList(o, 'routes', '', parseRoute),
    dns: parseDNS(o, ''),
  });
}

function parse020(o: Obj, cniVersion: Version020): Result020 {
  return compact({ cniVersion, ip4: parseIPConfig020(o, 'ip4'), ip6: parseIPConfig020(o, 'ip6'), dns: parseDNS(o, '') });
}

/**
 * Build the typed result for the version it declares (spec 1.9 steps 3-4): a missing/empty/non-string
 * `cniVersion` means `configVersion`; "" then means 0.1.0. Unknown keys are dropped (Go's typed decode).
 */
export function parseResult(raw: unknown, configVersion: string): Result {
  const obj = raw ?? {};
  if (!isPlainObject(obj)) throw new NerdnetError('ERR_PLUGIN_FAILED', `invalid CNI result: expected a JSON object, got ${describeJson(obj)}`);
  const declared = jsonField(obj, 'cniVersion');
  const version = (typeof declared === 'string' && declared !== '' ? declared : configVersion) || '0.1.0';
  if ((VERSIONS_100 as readonly string[]).includes(version)) return parse100(obj, version as Version100);
  if ((VERSIONS_040 as readonly string[]).includes(version)) return parse040(obj, version as Version040);
  if ((VERSIONS_020 as readonly string[]).includes(version)) return parse020(obj, version as Version020);
  throw new NerdnetError('ERR_VERSION', `unsupported CNI result version ${JSON.stringify(version)}`);
}

/** Parse an ADD's stdout against the request config we sent (pkg/invoke/exec.go, spec 1.9). */
export function parsePluginOutput(stdout: Uint8Array | string, requestConfigBytes: Uint8Array | string): Result {
  const configVersion = decodeConfigVersion(requestConfigBytes);
  const text = typeof stdout === 'string' ? stdout : Buffer.from(stdout).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    throw new NerdnetError('ERR_PLUGIN_FAILED', `failed to unmarshal raw result: ${jsonErrorText(err)}`, { cause: err });
  }
  if (raw !== null && !isPlainObject(raw)) {
    throw new NerdnetError('ERR_PLUGIN_FAILED', `failed to unmarshal raw result: expected a JSON object, got ${describeJson(raw)}`);
  }
  return parseResult(raw, configVersion);
}

// ---- emission: Go field order and omitempty ----

function put(out: JsonResultObject, key: string, value: JsonValue | undefined): void {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
  out[key] = value;
}

function routeJSON(r: Route): JsonResultObject {
  const out: JsonResultObject = { dst: r.dst };
  put(out, 'gw', r.gw);
  // Go: mtu/advmss/priority are plain ints with omitempty, table/scope are pointers (0 is meaningful).
  if (r.mtu) out.mtu = r.mtu;
  if (r.advmss) out.advmss = r.advmss;
  if (r.priority) out.priority = r.priority;
  if (r.table !== undefined) out.table = r.table;
  if (r.scope !== undefined) out.scope = r.scope;
  return out;
}

function dnsJSON(d: DNS | undefined): JsonResultObject {
  const out: JsonResultObject = {};
  put(out, 'nameservers', d?.nameservers);
  put(out, 'domain', d?.domain);
  put(out, 'search', d?.search);
  put(out, 'options', d?.options);
  return out;
}

function ipConfig020JSON(c: IPConfig020): JsonResultObject {
  const out: JsonResultObject = { ip: c.ip };
  put(out, 'gateway', c.gateway);
  put(out, 'routes', c.routes?.map(routeJSON));
  return out;
}

function interfaceJSON(i: Interface100 | Interface040, extended: boolean): JsonResultObject {
  const out: JsonResultObject = { name: i.name };
  put(out, 'mac', i.mac);
  const x = i as Interface100;
  if (extended && x.mtu) out.mtu = x.mtu;
  put(out, 'sandbox', i.sandbox);
  if (extended) {
    put(out, 'socketPath', x.socketPath);
    put(out, 'pciID', x.pciID);
  }
  return out;
}

function ipJSON(c: IPConfig100 | IPConfig040, withVersion: boolean): JsonResultObject {
  const out: JsonResultObject = {};
  if (withVersion) out.version = (c as IPConfig040).version;
  if (c.interface !== undefined) out.interface = c.interface;
  out.address = c.address;
  put(out, 'gateway', c.gateway);
  return out;
}

/**
 * A JSON-ready object in Go's field order with Go's omitempty rules, so JSON.stringify gives libcni's bytes
 * (modulo Go's \u003c escaping). 0.x results always carry `dns` (Go cannot omit a struct); 1.x drop an empty one.
 */
export function resultToJSON(result: Result): JsonResultObject {
  const out: JsonResultObject = { cniVersion: result.cniVersion };
  if (isResult020(result)) {
    if (result.ip4) out.ip4 = ipConfig020JSON(result.ip4);
    if (result.ip6) out.ip6 = ipConfig020JSON(result.ip6);
    out.dns = dnsJSON(result.dns);
    return out;
  }
  const legacy = isResult040(result);
  put(out, 'interfaces', result.interfaces?.map((i) => interfaceJSON(i, !legacy)));
  put(out, 'ips', result.ips?.map((c) => ipJSON(c, legacy)));
  put(out, 'routes', result.routes?.map(routeJSON));
  const dns = dnsJSON(result.dns);
  if (legacy || Object.keys(dns).length > 0) out.dns = dns;
  return out;
}
