// nerdctl's global settings (`--data-root`, `--namespace`, `--address`, `--cni-path`,
// `--cni-netconfpath`, ...) in camelCase, and their defaults: what a caller leaves out is taken
// from nerdctl's environment variables, then nerdctl.toml, then containerd's config.toml (CNI dirs),
// then nerdctl's defaults.
import { resolve } from 'node:path';
import { discoverCniDirs, type CniDirs } from '../cni/discovery.js';
import { NerdnetError } from '../errors.js';
import { loadNerdctlToml, nerdctlTomlPath, type NerdctlConfig } from './nerdctl-toml.js';
import type { DnsSettings, Logger } from '../etc/types.js';
import { BACKENDS, type Backend } from '../runtime/types.js';
import { DEFAULT_ADDRESS, DEFAULT_DATA_ROOT, DEFAULT_RUN_DIR } from '../store/layout.js';

export interface NerdnetOptions {
  // nerdctl's data root; default /var/lib/nerdctl.
  dataRoot?: string;
  // containerd namespace; default $CONTAINERD_NAMESPACE or "default".
  namespace?: string;
  // containerd socket (names the data store's hash dir); default $CONTAINERD_ADDRESS or /run/containerd/containerd.sock.
  address?: string;
  // CNI plugin dirs; default $CNI_PATH, containerd's config.toml, then the first existing of nerdctl's list.
  cniPath?: readonly string[];
  // CNI conf dir; default $NETCONFPATH, containerd's config.toml, then /etc/cni/net.d.
  cniNetconfPath?: string;
  // Who runs new containers; default $NERDNET_BACKEND or "runc".
  backend?: Backend;
  // The address `host-gateway` stands for in addHosts; default $NERDCTL_HOST_GATEWAY_IP.
  hostGatewayIP?: string;
  // The default `bridge` network's gateway/subnet when it is first made; default $NERDCTL_BRIDGE_IP.
  bridgeIP?: string;
  // runc executable and state dir for new containers; default runc on PATH, runc's own root.
  runc?: { binary?: string; root?: string };
  // libcni's result cache; default /var/lib/cni/results.
  cniCacheDir?: string;
  // Where port reservers keep pid files; default /run/nerdctl.
  runDir?: string;
  // Debug messages go to the logger too.
  debug?: boolean;
  // Warnings and information; default: nothing is printed.
  logger?: Logger;
  // Where the defaults above are read from; default process.env.
  env?: NodeJS.ProcessEnv;
  // nerdctl.toml to read the defaults from (below the env): a path, false for none; default
  // $NERDCTL_TOML or /etc/nerdctl/nerdctl.toml. A missing file is no config.
  nerdctlToml?: string | false;
}


// Every setting decided: what the composition root builds from.
export interface Settings {
  dataRoot: string;
  namespace: string;
  address: string;
  pluginDirs: string[];
  confDir: string;
  // Where the two came from (flag, env, nerdctl.toml, containerd's config or the default).
  pluginDirsFrom: CniDirs['pluginDirsFrom'];
  confDirFrom: CniDirs['confDirFrom'];
  backend: Backend;
  hostGatewayIP: string | undefined;
  bridgeIP: string | undefined;
  runc: { binary?: string; root?: string };
  cniCacheDir: string | undefined;
  runDir: string;
  debug: boolean;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  // nerdctl.toml's `dns`, `dns_search`, `dns_opts`: what a container gets when it asks for none.
  dns: DnsSettings;
  // The nerdctl.toml read, undefined when there was none.
  nerdctlToml: string | undefined;
}

export { DEFAULT_RUN_DIR };

export function parseBackend(value: string, source: string): Backend {
  if ((BACKENDS as readonly string[]).includes(value)) return value as Backend;
  throw new NerdnetError('ERR_INVALID_ARG', `invalid ${source} ${JSON.stringify(value)}: give one of ${BACKENDS.join(', ')}`);
}

const nothing: Logger = () => {};

export function resolveSettings(opts: NerdnetOptions = {}): Settings {
  const env = opts.env ?? process.env;
  const toml = opts.nerdctlToml === false ? { path: undefined, config: {}, warnings: [] } : loadNerdctlToml(opts.nerdctlToml ?? nerdctlTomlPath(env));
  const t: NerdctlConfig = toml.config;
  const dirs = discoverCniDirs({ cniPath: opts.cniPath?.join(':'), netconfPath: opts.cniNetconfPath, env, nerdctlToml: t });
  const given = opts.logger ?? nothing;
  const debug = opts.debug ?? t.debug ?? false;
  const logger: Logger = debug ? given : (level, message) => level !== 'debug' && given(level, message);
  for (const w of toml.warnings) logger('warn', w);
  const runcRoot = opts.runc?.root ?? env.NERDNET_RUNC_ROOT;
  const runcBinary = opts.runc?.binary ?? env.NERDNET_RUNC;
  return {
    dataRoot: resolve(opts.dataRoot ?? t.dataRoot ?? DEFAULT_DATA_ROOT),
    namespace: opts.namespace ?? env.CONTAINERD_NAMESPACE ?? t.namespace ?? 'default',
    address: opts.address ?? env.CONTAINERD_ADDRESS ?? t.address ?? DEFAULT_ADDRESS,
    pluginDirs: dirs.pluginDirs,
    confDir: resolve(dirs.confDir),
    pluginDirsFrom: dirs.pluginDirsFrom,
    confDirFrom: dirs.confDirFrom,
    backend: opts.backend ?? (env.NERDNET_BACKEND ? parseBackend(env.NERDNET_BACKEND, 'NERDNET_BACKEND') : 'runc'),
    hostGatewayIP: opts.hostGatewayIP ?? env.NERDCTL_HOST_GATEWAY_IP ?? t.hostGatewayIP,
    bridgeIP: opts.bridgeIP ?? env.NERDCTL_BRIDGE_IP ?? t.bridgeIP,
    runc: { ...(runcBinary ? { binary: runcBinary } : {}), ...(runcRoot ? { root: resolve(runcRoot) } : {}) },
    cniCacheDir: opts.cniCacheDir ?? env.NERDNET_CNI_CACHE_DIR,
    runDir: opts.runDir ?? env.NERDNET_RUN_DIR ?? DEFAULT_RUN_DIR,
    debug,
    logger,
    env,
    dns: { servers: t.dns ?? [], search: t.dnsSearch ?? [], options: t.dnsOpts ?? [] },
    nerdctlToml: toml.path,
  };
}
