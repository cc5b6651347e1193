// The libcni result cache: `<base>/results/<net>-<cid>-<ifname>`, kind cniCacheV1,
// byte-compatible with Go tools, but written atomically (libcni truncates in place: cni#1055).
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';
import type { JsonObject, NetworkConfigList } from './conf.js';

export const DEFAULT_CACHE_DIR = '/var/lib/cni';
export const CACHE_KIND = 'cniCacheV1';

// What a runtime says about one attachment (libcni RuntimeConf).
export interface RuntimeConf {
  containerID: string;
  netns: string;
  ifName: string;
  // CNI_ARGS pairs, in order.
  args?: Array<[string, string]>;
  // Capability args offered to plugins that declare them.
  capabilityArgs?: JsonObject;
}

export interface CachedAttachment {
  containerID: string;
  network: string;
  ifName: string;
  // The list bytes that were used for ADD.
  config: Buffer;
  netns?: string;
  cniArgs?: Array<[string, string]>;
  capabilityArgs?: JsonObject;
  // The final ADD result as stored (its own cniVersion).
  result?: JsonObject;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class ResultCache {
  readonly resultsDir: string;

  constructor(readonly baseDir: string = DEFAULT_CACHE_DIR) {
    this.resultsDir = join(baseDir, 'results');
  }

  filePath(network: string, containerID: string, ifName: string): string {
    if (!network || !containerID || !ifName) {
      throw new NerdnetError(
        'ERR_CACHE',
        `cache file path requires network name (${JSON.stringify(network)}), container ID (${JSON.stringify(containerID)}), and interface name (${JSON.stringify(ifName)})`,
      );
    }
    return join(this.resultsDir, `${network}-${containerID}-${ifName}`);
  }

  // Go's field order and omitempty, so the bytes match what libcni writes.
  async write(list: Pick<NetworkConfigList, 'name' | 'bytes'>, rt: RuntimeConf, result: JsonObject | undefined): Promise<void> {
    const entry: JsonObject = {
      kind: CACHE_KIND,
      containerId: rt.containerID,
      config: list.bytes.toString('base64'),
      ifName: rt.ifName,
      networkName: list.name,
    };
    if (rt.netns) entry.netns = rt.netns;
    if (rt.args && rt.args.length > 0) entry.cniArgs = rt.args;
    if (rt.capabilityArgs && Object.keys(rt.capabilityArgs).length > 0) entry.capabilityArgs = rt.capabilityArgs;
    if (result !== undefined) entry.result = result;
    const path = this.filePath(list.name, rt.containerID, rt.ifName);
    try {
      await writeFileAtomic(path, JSON.stringify(entry), { mode: 0o600, dirMode: 0o700 });
    } catch (e) {
      throw new NerdnetError('ERR_CACHE', `failed to set network "${list.name}" cached result: ${(e as Error).message}`, { cause: e });
    }
  }

  // The raw entry, or undefined when there is none. A file that is not cniCacheV1 JSON is a
  // pre-2019 bare result (libcni's legacy format). Throws on unreadable/corrupt content.
  async read(network: string, containerID: string, ifName: string): Promise<CachedAttachment | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.filePath(network, containerID, ifName));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new NerdnetError('ERR_CACHE', `failed to read cached network "${network}": ${(e as Error).message}`, { cause: e });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new NerdnetError('ERR_CACHE', `failed to unmarshal cached network "${network}" config: ${(e as Error).message}`, { cause: e });
    }
    if (!isObject(parsed)) throw new NerdnetError('ERR_CACHE', `failed to unmarshal cached network "${network}" config: not a JSON object`);
    if (parsed.kind !== CACHE_KIND) {
      return { containerID, network, ifName, config: Buffer.alloc(0), result: parsed };
    }
    return entryFromJSON(parsed) ?? { containerID, network, ifName, config: Buffer.alloc(0) };
  }

  async remove(network: string, containerID: string, ifName: string): Promise<void> {
    await rm(this.filePath(network, containerID, ifName), { force: true });
  }

  // Every readable cniCacheV1 entry, optionally for one container (libcni GetCachedAttachments).
  async attachments(containerID?: string): Promise<CachedAttachment[]> {
    let names: string[];
    try {
      names = (await readdir(this.resultsDir)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: CachedAttachment[] = [];
    for (const name of names) {
      if (containerID !== undefined) {
        const at = name.indexOf(`-${containerID}-`);
        if (at <= 0 || at + containerID.length + 2 >= name.length) continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(join(this.resultsDir, name), 'utf8'));
      } catch {
        continue;
      }
      if (!isObject(parsed) || parsed.kind !== CACHE_KIND) continue;
      const entry = entryFromJSON(parsed);
      if (!entry || (containerID !== undefined && entry.containerID !== containerID)) continue;
      out.push(entry);
    }
    return out;
  }
}

// The runtime conf a cached attachment was ADDed with, for its DEL (the netns is gone by then).
export function cachedRuntimeConf(a: CachedAttachment): RuntimeConf {
  return { containerID: a.containerID, netns: '', ifName: a.ifName, ...(a.cniArgs ? { args: a.cniArgs } : {}), ...(a.capabilityArgs ? { capabilityArgs: a.capabilityArgs } : {}) };
}

function isPairs(v: unknown): v is Array<[string, string]> {
  return Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && p.every((s) => typeof s === 'string'));
}

function entryFromJSON(o: JsonObject): CachedAttachment | undefined {
  if (typeof o.containerId !== 'string' || typeof o.networkName !== 'string' || typeof o.ifName !== 'string') return undefined;
  if (!o.networkName || !o.ifName) return undefined;
  const entry: CachedAttachment = {
    containerID: o.containerId,
    network: o.networkName,
    ifName: o.ifName,
    config: typeof o.config === 'string' ? Buffer.from(o.config, 'base64') : Buffer.alloc(0),
  };
  if (typeof o.netns === 'string' && o.netns) entry.netns = o.netns;
  if (isPairs(o.cniArgs)) entry.cniArgs = o.cniArgs;
  if (isObject(o.capabilityArgs)) entry.capabilityArgs = o.capabilityArgs;
  if (isObject(o.result)) entry.result = o.result;
  return entry;
}
