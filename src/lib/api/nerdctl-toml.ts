// nerdctl.toml: nerdctl's own config file ($NERDCTL_TOML, default /etc/nerdctl/nerdctl.toml; rootless
// $XDG_CONFIG_HOME/nerdctl/nerdctl.toml). Read once at the boundary: typed here, never re-parsed.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { z } from 'zod';
import { NerdnetError } from '../errors.js';

export const DEFAULT_NERDCTL_TOML = '/etc/nerdctl/nerdctl.toml';

// The keys nerdctl reads, in camelCase. Those nerdnet has no use for (snapshotter, cgroup_manager,
// insecure_registry, hosts_dir, experimental, debug_full, ...) are checked for their type and kept.
export interface NerdctlConfig {
  debug?: boolean;
  debugFull?: boolean;
  address?: string;
  namespace?: string;
  snapshotter?: string;
  cniPath?: string;
  cniNetconfpath?: string;
  dataRoot?: string;
  cgroupManager?: string;
  insecureRegistry?: boolean;
  hostsDir?: string[];
  experimental?: boolean;
  hostGatewayIP?: string;
  bridgeIP?: string;
  dns?: string[];
  dnsOpts?: string[];
  dnsSearch?: string[];
  kubeHideDupe?: boolean;
  cdiSpecDirs?: string[];
  usernsRemap?: string;
}

const str = z.string();
const bool = z.boolean();
const strs = z.array(z.string());

// toml key → (its type, the NerdctlConfig field).
const KEYS: Record<string, [z.ZodType, keyof NerdctlConfig]> = {
  debug: [bool, 'debug'],
  debug_full: [bool, 'debugFull'],
  address: [str, 'address'],
  namespace: [str, 'namespace'],
  snapshotter: [str, 'snapshotter'],
  cni_path: [str, 'cniPath'],
  cni_netconfpath: [str, 'cniNetconfpath'],
  data_root: [str, 'dataRoot'],
  cgroup_manager: [str, 'cgroupManager'],
  insecure_registry: [bool, 'insecureRegistry'],
  hosts_dir: [strs, 'hostsDir'],
  experimental: [bool, 'experimental'],
  host_gateway_ip: [str, 'hostGatewayIP'],
  bridge_ip: [str, 'bridgeIP'],
  dns: [strs, 'dns'],
  dns_opts: [strs, 'dnsOpts'],
  dns_search: [strs, 'dnsSearch'],
  kube_hide_dupe: [bool, 'kubeHideDupe'],
  cdi_spec_dirs: [strs, 'cdiSpecDirs'],
  userns_remap: [str, 'usernsRemap'],
};

export interface LoadedNerdctlConfig {
  // The file read, or undefined when there is none (nerdctl runs on its defaults then).
  path: string | undefined;
  config: NerdctlConfig;
  // Keys nerdctl does not know, as `unknown key "x" in <path>`: nerdctl warns and goes on.
  warnings: string[];
}

// Where nerdctl looks: $NERDCTL_TOML, else the rootful or rootless default.
export function nerdctlTomlPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NERDCTL_TOML) return env.NERDCTL_TOML;
  if (process.getuid?.() === 0) return DEFAULT_NERDCTL_TOML;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'nerdctl', 'nerdctl.toml');
}

// 1-based line of `key = ...` at the top level of the text, for messages about its value.
function lineOf(text: string, key: string): number | undefined {
  const quoted = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const i = text.split('\n').findIndex((l) => new RegExp(`^\\s*["']?${quoted}["']?\\s*=`).test(l));
  return i < 0 ? undefined : i + 1;
}

function invalid(path: string, line: number | undefined, what: string): NerdnetError {
  const at = line === undefined ? path : `${path}:${line}`;
  return new NerdnetError('ERR_INVALID_CONFIG', `invalid nerdctl config ${at}: ${what}; fix the file or point NERDCTL_TOML at another one`);
}

export function parseNerdctlToml(text: string, path: string): LoadedNerdctlConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    if (err instanceof TomlError) throw invalid(path, err.line, err.message.split('\n')[0] ?? 'not TOML');
    throw err;
  }
  const config: NerdctlConfig = {};
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const known = KEYS[key];
    if (!known) {
      warnings.push(`unknown key ${JSON.stringify(key)} in ${path}:${lineOf(text, key) ?? '?'}, ignored`);
      continue;
    }
    const [type, field] = known;
    const r = type.safeParse(value);
    if (!r.success) throw invalid(path, lineOf(text, key), `${key} must be ${type === bool ? 'true or false' : type === str ? 'a string' : 'an array of strings'}, got ${JSON.stringify(value)}`);
    (config as Record<string, unknown>)[field] = r.data;
  }
  return { path, config, warnings };
}

// The file at `path`; a missing one is no config (as nerdctl), an unreadable or malformed one an error.
export function loadNerdctlToml(path: string): LoadedNerdctlConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path: undefined, config: {}, warnings: [] };
    throw new NerdnetError('ERR_INVALID_CONFIG', `cannot read nerdctl config ${path}: ${(err as Error).message}`);
  }
  return parseNerdctlToml(text, path);
}
