// Finding and loading network configs from a conf dir (libcni ConfFiles/LoadConfList, go-cni's
// conf-dir loading).
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { confFromBytes, confListFromBytes, confListFromConf, type NetworkConfigList } from './conf.js';

export const CONF_EXTENSIONS = ['.conf', '.conflist', '.json'] as const;

// Files in `dir` (not recursive) whose last extension is one of `exts`; a missing dir is empty.
export async function confFiles(dir: string, exts: readonly string[]): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new NerdnetError('ERR_INVALID_CONFIG', `failed to read config dir ${dir}: ${(e as Error).message}`, { cause: e });
  }
  return entries
    .filter((e) => !e.isDirectory() && exts.includes(extname(e.name)))
    .map((e) => join(dir, e.name));
}

// Byte order, as Go's sort.Strings does.
export function sortPaths(paths: string[]): string[] {
  return paths.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function readConfig(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `error reading ${path}: ${(e as Error).message}`, { cause: e });
  }
}

// A conflist file plus, unless loadOnlyInlinedPlugins, the `.conf` plugins of the sibling folder
// named after the network (CNI 1.1.0).
export async function networkConfFromFile(path: string): Promise<NetworkConfigList> {
  const list = confListFromBytes(await readConfig(path), path);
  if (!list.loadOnlyInlinedPlugins) {
    const extra = sortPaths(await confFiles(join(dirname(path), list.name), ['.conf']));
    for (const file of extra) list.plugins.push(confFromBytes(await readConfig(file), file));
  }
  if (list.plugins.length === 0) throw new NerdnetError('ERR_INVALID_CONFIG', `${path}: no plugin configs found`);
  return list;
}

// A single file of any accepted kind as a list (`.conf`/`.json` are up-converted).
export async function loadConfigFile(path: string): Promise<NetworkConfigList> {
  if (extname(path) === '.conflist') return networkConfFromFile(path);
  return confListFromConf(confFromBytes(await readConfig(path), path), path);
}

// libcni LoadConfList: conflists first (sorted, any parse error aborts), then legacy confs.
export async function loadConfList(dir: string, name: string): Promise<NetworkConfigList> {
  const lists = sortPaths(await confFiles(dir, ['.conflist']));
  for (const file of lists) {
    const list = await networkConfFromFile(file);
    if (list.name === name) return list;
  }
  const confs = sortPaths(await confFiles(dir, ['.conf', '.json']));
  if (confs.length === 0 && lists.length === 0) {
    throw new NerdnetError('ERR_NO_CONFIGS', `no net configurations found in ${dir}`);
  }
  for (const file of confs) {
    const conf = confFromBytes(await readConfig(file), file);
    if (conf.raw.name === name) return confListFromConf(conf, file);
  }
  throw new NerdnetError('ERR_NOT_FOUND', `no net configuration with name "${name}" in ${dir}`);
}

// go-cni's conf-dir loading: every config file in sort order, at most `max` (<= 0: all).
// One broken file fails the whole load, as in go-cni.
export async function loadConfDir(dir: string, max = 0): Promise<NetworkConfigList[]> {
  const files = sortPaths(await confFiles(dir, CONF_EXTENSIONS));
  if (files.length === 0) throw new NerdnetError('ERR_NO_CONFIGS', `no network config found in ${dir}`);
  const out: NetworkConfigList[] = [];
  for (const file of files) {
    if (max > 0 && out.length >= max) break;
    out.push(await loadConfigFile(file));
  }
  return out;
}
