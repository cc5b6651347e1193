// Where plugins and configs live: flag > env (CNI_PATH, NETCONFPATH) > nerdctl.toml > containerd's config.toml
// CRI `cni` section > nerdctl's defaults (first existing plugin dir of its list; Debian's is /usr/lib/cni).
import { existsSync, readFileSync } from 'node:fs';

// nerdctl's rootful search list (pkg/defaults CNIPath), in order.
export const DEFAULT_PLUGIN_DIRS = [
  '/opt/cni/bin',
  '/usr/local/libexec/cni',
  '/usr/local/lib/cni',
  '/home/linuxbrew/.linuxbrew/opt/cni-plugins/bin',
  '/usr/libexec/cni',
  '/usr/lib/cni',
] as const;
export const DEFAULT_CONF_DIR = '/etc/cni/net.d';
export const DEFAULT_CONTAINERD_CONFIG = '/etc/containerd/config.toml';

export interface CniDirs {
  pluginDirs: string[];
  confDir: string;
  // Where each came from, for `--debug` and docs.
  pluginDirsFrom: 'flag' | 'env' | 'nerdctl.toml' | 'containerd' | 'default';
  confDirFrom: 'flag' | 'env' | 'nerdctl.toml' | 'containerd' | 'default';
}

export interface DiscoverOptions {
  cniPath?: string | undefined;
  netconfPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  // nerdctl.toml's cni_path and cni_netconfpath: after the env, before containerd's config.
  nerdctlToml?: { cniPath?: string | undefined; cniNetconfpath?: string | undefined };
  containerdConfig?: string;
  exists?: (path: string) => boolean;
}

export interface ContainerdCniSection {
  binDirs?: string[];
  confDir?: string;
}

// The CRI plugin's `cni` table across config versions 1, 2 and 3. Only the keys we need are read:
// `bin_dir` (plugins) / `bin_dirs` (v3), `conf_dir` (configs). The seed swaps the two in prose.
const CNI_SECTIONS = new Set([
  'plugins.cri.cni',
  'plugins."io.containerd.grpc.v1.cri".cni',
  'plugins."io.containerd.cri.v1.runtime".cni',
]);

export function parseContainerdCniSection(toml: string): ContainerdCniSection {
  const out: ContainerdCniSection = {};
  let inSection = false;
  for (const rawLine of toml.split('\n')) {
    const line = rawLine.replace(/\s+#.*$/, '').trim();
    const header = /^\[([^[\]]+)\]$/.exec(line);
    if (header) {
      inSection = CNI_SECTIONS.has((header[1] ?? '').replace(/\s+/g, ''));
      continue;
    }
    if (!inSection) continue;
    const kv = /^([A-Za-z_]+)\s*=\s*(.+)$/.exec(line);
    if (!kv) continue;
    const [, key, value = ''] = kv;
    const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2] ?? '');
    if (key === 'bin_dir' && strings[0]) out.binDirs = [strings[0]];
    if (key === 'bin_dirs' && strings.length > 0) out.binDirs = strings;
    if (key === 'conf_dir' && strings[0]) out.confDir = strings[0];
  }
  return out;
}

function readContainerdSection(path: string): ContainerdCniSection {
  try {
    return parseContainerdCniSection(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

function splitPath(list: string): string[] {
  return list.split(':').filter((d) => d !== '');
}

export function discoverCniDirs(opts: DiscoverOptions = {}): CniDirs {
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? existsSync;
  let section: ContainerdCniSection | undefined;
  const containerd = () => (section ??= readContainerdSection(opts.containerdConfig ?? DEFAULT_CONTAINERD_CONFIG));

  let pluginDirs: string[];
  let pluginDirsFrom: CniDirs['pluginDirsFrom'];
  if (opts.cniPath) [pluginDirs, pluginDirsFrom] = [splitPath(opts.cniPath), 'flag'];
  else if (env.CNI_PATH) [pluginDirs, pluginDirsFrom] = [splitPath(env.CNI_PATH), 'env'];
  else if (opts.nerdctlToml?.cniPath) [pluginDirs, pluginDirsFrom] = [splitPath(opts.nerdctlToml.cniPath), 'nerdctl.toml'];
  else if (containerd().binDirs) [pluginDirs, pluginDirsFrom] = [containerd().binDirs ?? [], 'containerd'];
  else [pluginDirs, pluginDirsFrom] = [[DEFAULT_PLUGIN_DIRS.find((d) => exists(d)) ?? DEFAULT_PLUGIN_DIRS[0]], 'default'];

  let confDir: string;
  let confDirFrom: CniDirs['confDirFrom'];
  if (opts.netconfPath) [confDir, confDirFrom] = [opts.netconfPath, 'flag'];
  else if (env.NETCONFPATH) [confDir, confDirFrom] = [env.NETCONFPATH, 'env'];
  else if (opts.nerdctlToml?.cniNetconfpath) [confDir, confDirFrom] = [opts.nerdctlToml.cniNetconfpath, 'nerdctl.toml'];
  else if (containerd().confDir) [confDir, confDirFrom] = [containerd().confDir ?? DEFAULT_CONF_DIR, 'containerd'];
  else [confDir, confDirFrom] = [DEFAULT_CONF_DIR, 'default'];

  return { pluginDirs, confDir, pluginDirsFrom, confDirFrom };
}
