// Reading networks from the conf dir the way nerdctl's fsRead does (spec 2.8): top level plus
// the namespace's subdir, sorted by full path; nerdctlID/nerdctlLabels read from the raw JSON.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { confFromBytes, confListFromBytes, confListFromConf, type JsonObject, type NetworkConfigList } from '../cni/conf.js';
import { CONF_EXTENSIONS, confFiles, sortPaths } from '../cni/conf-files.js';
import { isPlainObject } from '../cni/result-types.js';
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

// The networks one namespace sees: `<netconf>` and `<netconf>/<ns>`. One broken file fails the read.
export async function readVisibleNetworks(netconf: string, namespace: string): Promise<NetworkRecord[]> {
  const files = await confFiles(netconf, CONF_EXTENSIONS);
  if (namespace !== '') files.push(...(await confFiles(join(netconf, namespace), CONF_EXTENSIONS)));
  const out: NetworkRecord[] = [];
  for (const file of sortPaths(files)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      // Removed by another process between readdir and read.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    out.push(recordFromBytes(file, bytes));
  }
  return out;
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

// Every config file at the top level and one directory down (all namespaces, spec 9.1).
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

// NetworkByNameOrID (spec 2.8): name, full ID, or exactly the 12-char short ID.
export function networkByNameOrID(records: readonly NetworkRecord[], key: string): NetworkRecord | undefined {
  return records.find((r) => r.name === key || (r.id !== undefined && (r.id === key || r.id.slice(0, 12) === key)));
}

// ListNetworksMatch (spec 2.8): pseudo names, then every exact name, else every ID with that prefix.
export function matchNetworks(records: readonly NetworkRecord[], req: string): Array<NetworkRecord | PseudoNetwork> {
  if (isPseudoName(req)) return [{ name: req, pseudo: true }];
  const byName = records.filter((r) => r.name === req);
  if (byName.length > 0 || req === '') return byName;
  return records.filter((r) => r.id?.startsWith(req));
}
