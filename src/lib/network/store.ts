// Reading networks from the conf dir the way nerdctl's fsRead does: top level plus
// the namespace's subdir, sorted by full path; nerdctlID/nerdctlLabels read from the raw JSON.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { confFromBytes, confListFromBytes, confListFromConf, type JsonObject, type NetworkConfigList } from '../cni/conf.js';
import { CONF_EXTENSIONS, confFiles, sortPaths } from '../cni/conf-files.js';
import { isPlainObject } from '../cni/result-types.js';
import { noLogger, type Logger } from '../etc/types.js';
import { PSEUDO_NETWORKS } from './names.js';

/** A network as found on disk. */
export interface NetworkRecord {
  name: string;
  // nerdctlID; undefined for networks nerdctl did not write.
  id?: string;
  // nerdctlLabels as written; undefined when the file has none.
  labels?: Record<string, string>;
  file: string;
  // The parsed JSON of the file (a plugin object for a legacy .conf).
  raw: JsonObject;
  list: NetworkConfigList;
  // Other visible files with the same name, which this one shadows.
  shadowed?: string[];
}

/** `host` or `none`: not CNI, never a file (spec 2.13). */
export interface PseudoNetwork {
  name: (typeof PSEUDO_NETWORKS)[number];
  pseudo: true;
}

export function isPseudoName(name: string): name is PseudoNetwork['name'] {
  return (PSEUDO_NETWORKS as readonly string[]).includes(name);
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isPlainObject(v)) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, s]) => [k, typeof s === 'string' ? s : JSON.stringify(s)]));
}

// Parse one config file; `.conf`/`.json` single-plugin configs are up-converted to a list.
export function recordFromBytes(file: string, bytes: Buffer): NetworkRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
    if (!isPlainObject(raw)) throw new Error('expected a JSON object');
  } catch (e) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `failed to parse network config file "${file}": ${(e as Error).message}; fix or remove the file`, { cause: e });
  }
  const list = extname(file) === '.conflist' ? confListFromBytes(bytes, file) : confListFromConf(confFromBytes(bytes, file), file);
  const rec: NetworkRecord = { name: list.name, file, raw: raw, list };
  if (typeof raw.nerdctlID === 'string' && raw.nerdctlID !== '') rec.id = raw.nerdctlID;
  const labels = stringMap(raw.nerdctlLabels);
  if (labels) rec.labels = labels;
  return rec;
}

/** What one read of a namespace's networks found besides the networks. */
export interface NetworkScan {
  // One record per name (the file libcni's order picks), in sorted path order.
  records: NetworkRecord[];
  // Files that could not be read or parsed.
  skipped: Array<{ file: string; message: string }>;
}

// libcni's LoadConfList order: every .conflist before any .conf/.json, each by full path (nerdctl
// sorts the top level and the namespace's dir together).
function precedes(a: string, b: string): boolean {
  const rank = (f: string) => (extname(f) === '.conflist' ? 0 : 1);
  return rank(a) !== rank(b) ? rank(a) < rank(b) : Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
}

// The networks one namespace sees: `<netconf>` and `<netconf>/<ns>`. A broken file is skipped (one
// bad file must not break work on other networks); of two files with one name, one wins everywhere.
export async function scanVisibleNetworks(netconf: string, namespace: string): Promise<NetworkScan> {
  const files = await confFiles(netconf, CONF_EXTENSIONS);
  if (namespace !== '') files.push(...(await confFiles(join(netconf, namespace), CONF_EXTENSIONS)));
  const all: NetworkRecord[] = [];
  const skipped: NetworkScan['skipped'] = [];
  for (const file of sortPaths(files)) {
    try {
      all.push(recordFromBytes(file, await readFile(file)));
    } catch (e) {
      // Removed by another process between readdir and read.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      skipped.push({ file, message: (e as Error).message });
    }
  }
  const winner = new Map<string, NetworkRecord>();
  for (const r of all) {
    const w = winner.get(r.name);
    if (!w || precedes(r.file, w.file)) winner.set(r.name, r);
  }
  const records = all.filter((r) => winner.get(r.name) === r);
  for (const r of records) {
    const shadowed = all.filter((o) => o !== r && o.name === r.name).map((o) => o.file);
    if (shadowed.length > 0) r.shadowed = shadowed;
  }
  return { records, skipped };
}

// One warning per skipped file and per network defined twice, each naming the files.
export function scanWarnings(scan: NetworkScan): string[] {
  return [
    ...scan.skipped.map((s) => `skipped network config file ${s.file}: ${s.message}`),
    ...scan.records.filter((r) => r.shadowed).map((r) => `network "${r.name}" is defined more than once: using ${r.file}, ignoring ${(r.shadowed ?? []).join(', ')}; remove or rename the others`),
  ];
}

// For a "not found" error: a network the user wants may be in a file that was skipped.
export function skippedHint(scan: NetworkScan): string {
  return scan.skipped.length === 0 ? '' : ` (unreadable config files skipped: ${scan.skipped.map((s) => s.file).join(', ')})`;
}

// scanVisibleNetworks, with its warnings sent to `log`.
export async function readVisibleNetworks(netconf: string, namespace: string, log: Logger = noLogger): Promise<NetworkRecord[]> {
  return (await readVisibleScan(netconf, namespace, log)).records;
}

export async function readVisibleScan(netconf: string, namespace: string, log: Logger = noLogger): Promise<NetworkScan> {
  const scan = await scanVisibleNetworks(netconf, namespace);
  for (const w of scanWarnings(scan)) log('warn', w);
  return scan;
}

/** A config file of any namespace, leniently parsed (for subnet bookkeeping only). */
export interface RawConfig {
  file: string;
  raw: JsonObject;
}

// The conf dirs of every namespace: the top level (default namespace) and each directory one down.
export async function allNamespaceConfDirs(netconf: string): Promise<string[]> {
  const dirs = [netconf];
  try {
    for (const e of await readdir(netconf, { withFileTypes: true })) if (e.isDirectory()) dirs.push(join(netconf, e.name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return dirs;
}

// Every config file at the top level and one directory down (all namespaces).
// Unparsable files are skipped: another namespace's broken file must not block this one.
export async function readAllConfigs(netconf: string): Promise<RawConfig[]> {
  const out: RawConfig[] = [];
  for (const dir of await allNamespaceConfDirs(netconf)) {
    for (const file of sortPaths(await confFiles(dir, CONF_EXTENSIONS))) {
      try {
        const raw: unknown = JSON.parse(await readFile(file, 'utf8'));
        if (isPlainObject(raw)) out.push({ file, raw: raw });
      } catch {
        // unreadable or not JSON: nothing to learn from it
      }
    }
  }
  return out;
}

// The plugin objects of a raw config (a legacy .conf is its own single plugin).
export function pluginsOf(raw: JsonObject): JsonObject[] {
  const plugins = Array.isArray(raw.plugins) ? raw.plugins : [raw];
  return plugins.filter(isPlainObject);
}

// host-local's default dataDir.
export const HOST_LOCAL_DIR = '/var/lib/cni/networks';

// `<dataDir>/<network>` of each host-local IPAM among the plugins: where its leases live.
export function hostLocalLeaseDirs(network: string, plugins: readonly JsonObject[]): string[] {
  const dirs = new Set<string>();
  for (const p of plugins) {
    const ipam = p.ipam;
    if (!isPlainObject(ipam) || ipam.type !== 'host-local') continue;
    dirs.add(join(typeof ipam.dataDir === 'string' && ipam.dataDir !== '' ? ipam.dataDir : HOST_LOCAL_DIR, network));
  }
  return [...dirs];
}

// NetworkByNameOrID: name, full ID, or exactly the 12-char short ID.
export function networkByNameOrID(records: readonly NetworkRecord[], key: string): NetworkRecord | undefined {
  return records.find((r) => r.name === key || (r.id !== undefined && (r.id === key || r.id.slice(0, 12) === key)));
}

// ListNetworksMatch: pseudo names, then every exact name, else every ID with that prefix.
export function matchNetworks(records: readonly NetworkRecord[], req: string): Array<NetworkRecord | PseudoNetwork> {
  if (isPseudoName(req)) return [{ name: req, pseudo: true }];
  const byName = records.filter((r) => r.name === req);
  if (byName.length > 0 || req === '') return byName;
  return records.filter((r) => r.id?.startsWith(req));
}
