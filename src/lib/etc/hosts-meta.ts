// meta.json of the hosts store: nerdctl's exact keys and order, Go's map ordering and escaping.
import { NerdnetError } from '../errors.js';
import { isPlainObject, issuesText, recordOf, typeIssue, type Issue } from '../json-shape.js';
import { formatIP, ipParseError, parseIP } from '../ip/index.js';
import { canonicalJSON } from '../cni/request.js';
import { validateIdentifier } from '../store/layout.js';
import { validateDomainname, validateHostAlias, validateHostname } from './validate.js';
import type { JsonObject } from '../cni/conf.js';
import type { ExtraHost } from './add-host.js';

// The on-disk record, keys as nerdctl writes them (Go struct without JSON tags).
export interface HostsMeta {
  ID: string;
  // Network name as given in nerdctl/networks → that network's CNI ADD result; null for host/none/ns.
  Networks: Record<string, JsonObject> | null;
  Hostname: string;
  ExtraHosts: Record<string, string>;
  Name: string;
  Domainname: string;
}

// What a caller (the hook, or create for host/none) says about a container.
export interface ContainerHostsInfo {
  name: string;
  hostname: string;
  domainname?: string | undefined;
  // CNI results by network name; omit or null for host/none/ns containers.
  networks?: Record<string, JsonObject> | null | undefined;
  extraHosts?: readonly ExtraHost[] | Record<string, string> | undefined;
}

// Go's json.Unmarshal is lenient: missing keys are zero values, unknown keys (e.g. v1's Namespace)
// ignored. Checked by hand, not with zod: the OCI hook reads this, and zod slowed its start.
function shapeOf(raw: unknown): { meta: HostsMeta; issues: Issue[] } {
  const issues: Issue[] = [];
  const meta: HostsMeta = { ID: '', Networks: null, Hostname: '', ExtraHosts: {}, Name: '', Domainname: '' };
  if (!isPlainObject(raw)) return { meta, issues: [{ message: typeIssue('object', raw) }] };
  for (const key of ['ID', 'Hostname', 'Name', 'Domainname'] as const) {
    const v = raw[key];
    if (typeof v === 'string') meta[key] = v;
    else if (v !== undefined) issues.push({ message: typeIssue('string', v), path: [key] });
  }
  if (raw.Networks !== undefined && raw.Networks !== null) meta.Networks = recordOf(raw.Networks, 'object', ['Networks'], issues) as Record<string, JsonObject>;
  if (raw.ExtraHosts !== undefined && raw.ExtraHosts !== null) meta.ExtraHosts = recordOf(raw.ExtraHosts, 'string', ['ExtraHosts'], issues) as Record<string, string>;
  return { meta, issues };
}

function bad(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_CONFIG', message);
}

// Strip brackets nerdctl keeps from `--add-host name:[::1]` (quirk 3.6) and print canonically.
export function normalizeExtraHostIP(ip: string): string {
  const bare = ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const why = ipParseError(bare);
  if (why) throw new NerdnetError('ERR_INVALID_ARG', `invalid extra host address ${JSON.stringify(ip)}: ${why}`);
  return formatIP(parseIP(bare));
}

// Everything that reaches a hosts line is checked, so a hand-edited meta.json cannot inject lines.
function checkValues(meta: HostsMeta): HostsMeta {
  if (meta.Hostname !== '') validateHostname(meta.Hostname);
  if (meta.Domainname !== '') validateDomainname(meta.Domainname);
  if (meta.Name !== '') validateIdentifier('container name', meta.Name);
  for (const net of Object.keys(meta.Networks ?? {})) validateIdentifier('network name', net);
  const extra: Record<string, string> = {};
  for (const [host, ip] of Object.entries(meta.ExtraHosts)) extra[validateHostAlias(host, `${host}:${ip}`)] = normalizeExtraHostIP(ip);
  return { ...meta, ExtraHosts: extra };
}

// Parse and check meta.json bytes; throws ERR_INVALID_CONFIG naming the source and the problem.
export function parseHostsMeta(bytes: string | Uint8Array, source: string): HostsMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw bad(`${source}: not valid JSON: ${(err as Error).message}`);
  }
  const { meta, issues } = shapeOf(raw);
  if (issues.length > 0) throw bad(`${source}: ${issuesText(issues).replace(/\n/g, '; ')}`);
  try {
    return checkValues(meta);
  } catch (err) {
    throw bad(`${source}: ${(err as Error).message}`);
  }
}

// Build the record for `id` from caller input; validates everything before any file is touched.
export function makeHostsMeta(id: string, info: ContainerHostsInfo): HostsMeta {
  const extra = Array.isArray(info.extraHosts)
    ? Object.fromEntries((info.extraHosts as readonly ExtraHost[]).map((e) => [e.host, e.ip]))
    : { ...((info.extraHosts as Record<string, string> | undefined) ?? {}) };
  const networks = info.networks ? { ...info.networks } : null;
  return checkValues({
    ID: validateIdentifier('container ID', id),
    Networks: networks && Object.keys(networks).length > 0 ? networks : null,
    Hostname: info.hostname,
    ExtraHosts: extra,
    Name: info.name,
    Domainname: info.domainname ?? '',
  });
}

// Go escapes these inside strings (json.Marshal's HTML-safe default).
function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// A CNI result re-marshalled through a generic map: sorted keys, and an empty `dns` dropped.
function resultForDisk(result: JsonObject): JsonObject {
  const { dns, ...rest } = result;
  const emptyDns = typeof dns === 'object' && dns !== null && Object.keys(dns).length === 0;
  return dns === undefined || emptyDns ? rest : result;
}

// meta.json bytes: struct order ID, Networks, Hostname, ExtraHosts, Name, Domainname; maps sorted.
export function serializeHostsMeta(meta: HostsMeta): string {
  const networks = meta.Networks === null ? null : Object.fromEntries(Object.entries(meta.Networks).map(([k, v]) => [k, resultForDisk(v)]));
  const fields: Array<[keyof HostsMeta, string]> = [
    ['ID', JSON.stringify(meta.ID)],
    ['Networks', networks === null ? 'null' : canonicalJSON(networks)],
    ['Hostname', JSON.stringify(meta.Hostname)],
    ['ExtraHosts', canonicalJSON(meta.ExtraHosts)],
    ['Name', JSON.stringify(meta.Name)],
    ['Domainname', JSON.stringify(meta.Domainname)],
  ];
  return goEscape(`{${fields.map(([k, v]) => `"${k}":${v}`).join(',')}}`);
}

// Network names of a record, sorted.
export function metaNetworks(meta: HostsMeta): string[] {
  return Object.keys(meta.Networks ?? {}).sort();
}
