// `network inspect`: Docker's object, with what nerdctl leaves out (Driver, Scope,
// EnableIPv6, Internal, Options, Created) filled in from the conflist; or nerdctl's native form.
import { stat } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import { withConfLock } from './create.js';
import { driverOf, familiesOf, ipamConfigOf, ipamDriverOf, isInternal, optionsOf, visibleLabels, type IpamConfigEntry } from './describe.js';
import { matchNetworks, readVisibleScan, skippedHint, type NetworkRecord, type PseudoNetwork } from './store.js';
import type { NetworkEnv } from './types.js';
import { CniCacheUsage, type NetworkAttachmentInfo } from './usage.js';

export interface EndpointInfo {
  Name: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** Docker's network object (field order as `docker network inspect` prints it). */
export interface DockerNetwork {
  Name: string;
  Id?: string;
  Created?: string;
  Scope: 'local';
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string>; Config: IpamConfigEntry[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, EndpointInfo>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** nerdctl's `--mode native` object. */
export interface NativeNetwork {
  CNI: unknown;
  NerdctlID: string | null;
  NerdctlLabels?: Record<string, string>;
  File: string;
  // nerdnet's: other files defining the same name, which File shadows; omitted when none.
  ShadowedFiles?: string[];
  Containers: NetworkAttachmentInfo[];
}

export interface InspectResult<T> {
  networks: T[];
  // One message per request that matched nothing or too much, in request order.
  errors: Array<{ request: string; message: string }>;
}

function endpoints(list: NetworkAttachmentInfo[]): Record<string, EndpointInfo> {
  const out: Record<string, EndpointInfo> = {};
  for (const a of list) {
    out[a.containerID] = { Name: a.name ?? '', MacAddress: a.mac ?? '', IPv4Address: a.ipv4 ?? '', IPv6Address: a.ipv6 ?? '' };
  }
  return out;
}

function pseudoDocker(p: PseudoNetwork, containers: Record<string, EndpointInfo>): DockerNetwork {
  return {
    Name: p.name,
    Scope: 'local',
    Driver: p.name === 'none' ? 'null' : 'host',
    EnableIPv4: p.name === 'host',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: {},
    Labels: {},
  };
}

async function toDocker(r: NetworkRecord, containers: Record<string, EndpointInfo>): Promise<DockerNetwork> {
  const fam = familiesOf(r);
  // Docker shows the creation time; the conflist's mtime is the closest thing on disk.
  const created = await stat(r.file).then((s) => s.mtime.toISOString(), () => undefined);
  return {
    Name: r.name,
    ...(r.id !== undefined ? { Id: r.id } : {}),
    ...(created !== undefined ? { Created: created } : {}),
    Scope: 'local',
    Driver: driverOf(r),
    EnableIPv4: fam.ipv4,
    EnableIPv6: fam.ipv6,
    IPAM: { Driver: ipamDriverOf(r), Options: {}, Config: ipamConfigOf(r) },
    Internal: isInternal(r),
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: optionsOf(r),
    // nerdctl prints null for an unlabelled network; Docker prints {}.
    Labels: visibleLabels(r),
  };
}

// Resolve requests: a request matching several IDs is an error.
async function resolve(env: NetworkEnv, requests: readonly string[]) {
  const scan = await withConfLock(env, () => readVisibleScan(env.netconfPath, env.namespace, env.log), true);
  const records = scan.records;
  const found: Array<NetworkRecord | PseudoNetwork> = [];
  const errors: Array<{ request: string; message: string }> = [];
  for (const req of requests) {
    const m = matchNetworks(records, req);
    if (m.length === 0) errors.push({ request: req, message: `no network found matching: ${req}${skippedHint(scan)}` });
    else if (m.length > 1) errors.push({ request: req, message: `multiple IDs found with provided prefix: ${req}; give more of the ID or the name` });
    else found.push(m[0] as NetworkRecord | PseudoNetwork);
  }
  return { found, errors };
}

export async function inspectNetworks(env: NetworkEnv, requests: readonly string[]): Promise<InspectResult<DockerNetwork>> {
  const usage = env.usage ?? new CniCacheUsage();
  const { found, errors } = await resolve(env, requests);
  const networks: DockerNetwork[] = [];
  for (const n of found) {
    const containers = endpoints(await usage.attachments(n.name));
    networks.push('pseudo' in n ? pseudoDocker(n, containers) : await toDocker(n, containers));
  }
  return { networks, errors };
}

export async function inspectNetworksNative(env: NetworkEnv, requests: readonly string[]): Promise<InspectResult<NativeNetwork>> {
  const usage = env.usage ?? new CniCacheUsage();
  const { found, errors } = await resolve(env, requests);
  const networks: NativeNetwork[] = [];
  for (const n of found) {
    const containers = await usage.attachments(n.name);
    if ('pseudo' in n) networks.push({ CNI: { cniVersion: '', name: n.name, plugins: [{ type: n.name }] }, NerdctlID: null, File: '', Containers: containers });
    else networks.push({ CNI: n.raw, NerdctlID: n.id ?? null, ...(n.labels ? { NerdctlLabels: n.labels } : {}), File: n.file, ...(n.shadowed ? { ShadowedFiles: n.shadowed } : {}), Containers: containers });
  }
  return { networks, errors };
}

// One network, for callers that need exactly one (throws ERR_NOT_FOUND).
export async function inspectNetwork(env: NetworkEnv, request: string): Promise<DockerNetwork> {
  const r = await inspectNetworks(env, [request]);
  const first = r.errors[0];
  if (first) throw new NerdnetError('ERR_NOT_FOUND', first.message);
  return r.networks[0] as DockerNetwork;
}
