// network-config.json: the published ports nerdctl records at create time in
// containers/<ns>/<id>/, keyed like go-cni's PortMapping struct (no JSON tags → PascalCase).
import { readdir, readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { intIssues, isPlainObject, issuesText, typeIssue, type Issue } from '../json-shape.js';
import { writeFileAtomic } from '../store/atomic.js';
import { withLock } from '../store/flock.js';
import { isIdentifier } from '../store/layout.js';
import { ipParseError } from '../ip/index.js';
import { PROTOCOLS } from './types.js';
import type { PortMapping } from './types.js';
import type { ContainerPortClaim } from './used.js';

export const NETWORK_CONFIG_FILE = 'network-config.json';

/** The on-disk entry, go-cni's field order. */
export interface StoredPortMapping {
  HostPort: number;
  ContainerPort: number;
  Protocol: string;
  HostIP: string;
}

// One entry, keys lower-cased; checked by hand, not with zod: the OCI hook reads this file, and
// zod slowed its start.
function storedIssues(e: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  for (const key of ['hostport', 'containerport']) issues.push(...intIssues(e[key], 1, 65535).map((message) => ({ message, path: [key] })));
  const { protocol, hostip } = e;
  if (typeof protocol !== 'string') issues.push({ message: typeIssue('string', protocol), path: ['protocol'] });
  else if (!(PROTOCOLS as readonly string[]).includes(protocol.toLowerCase())) {
    issues.push({ message: `Invalid option: expected one of ${PROTOCOLS.map((p) => JSON.stringify(p)).join('|')}`, path: ['protocol'] });
  }
  if (typeof hostip !== 'string') issues.push({ message: typeIssue('string', hostip), path: ['hostip'] });
  else if (hostip !== '' && ipParseError(hostip) !== undefined) issues.push({ message: 'not an IP address', path: ['hostip'] });
  return issues;
}

// Go's encoding/json matches keys case-insensitively, so nerdctl also reads `hostPort`; do the same.
function lowerKeys(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), x]));
}

function toMappings(list: unknown, source: string): PortMapping[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new NerdnetError('ERR_INVALID_CONFIG', `${source}: port mappings must be a JSON array; recreate the container`);
  return list.map((entry: unknown, i) => {
    const e = lowerKeys(entry);
    const issues = isPlainObject(e) ? storedIssues(e) : [{ message: typeIssue('object', e) }];
    if (issues.length > 0 || !isPlainObject(e)) {
      throw new NerdnetError('ERR_INVALID_CONFIG', `${source}: port mapping ${i} ${JSON.stringify(entry)} is invalid (${issuesText(issues).replace(/\n/g, ' ')}); recreate the container`);
    }
    return { hostPort: e.hostport as number, containerPort: e.containerport as number, protocol: (e.protocol as string).toLowerCase() as PortMapping['protocol'], hostIP: e.hostip as string };
  });
}

function parseJSON(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `${source} is not valid JSON (${(err as Error).message}); recreate the container`, { cause: err });
  }
}

/** camelCase CNI capability entries → go-cni's PascalCase entries (key order HostPort, ContainerPort, Protocol, HostIP). */
export function toStoredMappings(mappings: readonly PortMapping[]): StoredPortMapping[] {
  return mappings.map((m) => ({ HostPort: m.hostPort, ContainerPort: m.containerPort, Protocol: m.protocol, HostIP: m.hostIP }));
}

/** The exact bytes nerdctl writes: `{"portMappings":[...]}`, or `{}` with no mappings (omitempty). */
export function encodeNetworkConfig(mappings: readonly PortMapping[]): string {
  return mappings.length === 0 ? '{}' : JSON.stringify({ portMappings: toStoredMappings(mappings) });
}

/** Parse network-config.json text; unknown keys are ignored as Go does. */
export function decodeNetworkConfig(text: string, source = NETWORK_CONFIG_FILE): PortMapping[] {
  const doc = parseJSON(text, source);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `${source} must hold a JSON object like {"portMappings":[...]}; recreate the container`);
  }
  return toMappings((lowerKeys(doc) as Record<string, unknown>).portmappings, source);
}

/** The legacy `nerdctl/ports` label (nerdctl ≤ 2.1.2): the same entries as a bare JSON array. */
export function decodePortsLabel(text: string): PortMapping[] {
  return toMappings(parseJSON(text, 'label "nerdctl/ports"'), 'label "nerdctl/ports"');
}

/** Write `<stateDir>/network-config.json` (0600, atomic) under the store lock on stateDir (spec 1.4). */
export async function writeNetworkConfig(stateDir: string, mappings: readonly PortMapping[]): Promise<void> {
  // The lock is a flock on the directory itself, which must exist first (flock.ts would create a file).
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await withLock(stateDir, () => writeFileAtomic(join(stateDir, NETWORK_CONFIG_FILE), encodeNetworkConfig(mappings), { mode: 0o600 }));
}

/** Read `<stateDir>/network-config.json`; undefined when the container has none. */
export async function readNetworkConfig(stateDir: string): Promise<PortMapping[] | undefined> {
  const path = join(stateDir, NETWORK_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new NerdnetError('ERR_HOST', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return decodeNetworkConfig(text, path);
}

/**
 * nerdctl's LoadPortMappings: the file's mappings, else the legacy label. `legacy` tells the caller
 * to warn that the container should be recreated (nerdctl PR #4290); the lib does not print.
 */
export async function loadPortMappings(stateDir: string, legacyLabel?: string): Promise<{ mappings: PortMapping[]; legacy: boolean }> {
  const mappings = (await readNetworkConfig(stateDir)) ?? [];
  if (mappings.length > 0 || !legacyLabel) return { mappings, legacy: false };
  return { mappings: decodePortsLabel(legacyLabel), legacy: true };
}

/** How a stored container's ports count: held (running/created), soft (stopped) or ignored. */
export type ClaimKind = 'held' | 'soft' | 'ignore';

export interface StoredClaimsOptions {
  // Container IDs to leave out (the one being created).
  exclude?: ReadonlySet<string>;
  classify?: (namespace: string, id: string) => ClaimKind | Promise<ClaimKind>;
}

/**
 * Every container's recorded ports under `<dataStore>/containers` (all namespaces: host ports are
 * host-wide). Read without the per-container locks: files are replaced by rename, so a read sees a
 * whole file. A broken file is skipped rather than blocking every later create.
 */
export async function readStoredClaims(containersRoot: string, opts: StoredClaimsOptions = {}): Promise<ContainerPortClaim[]> {
  const list = async (dir: string): Promise<string[]> => {
    try {
      return (await readdir(dir)).filter(isIdentifier).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new NerdnetError('ERR_HOST', `cannot list ${dir}: ${(err as Error).message}`, { cause: err });
    }
  };
  const claims: ContainerPortClaim[] = [];
  for (const ns of await list(containersRoot)) {
    for (const id of await list(join(containersRoot, ns))) {
      if (opts.exclude?.has(id)) continue;
      const kind = opts.classify ? await opts.classify(ns, id) : 'held';
      if (kind === 'ignore') continue;
      const mappings = await readNetworkConfig(join(containersRoot, ns, id)).catch(() => undefined);
      if (!mappings || mappings.length === 0) continue;
      claims.push({ owner: `container ${id.slice(0, 12)} (namespace ${ns})`, mappings, soft: kind === 'soft' });
    }
  }
  return claims;
}
