// What the composition root assembles from the settings: the data store, the CNI runtime, the
// network providers, the container manager and the hook's command line, each built in one place.
// Loaded on first use, so importing nerdnet stays cheap.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CniConfig } from '../cni/api.js';
import { CniProvider } from '../container/cni-provider.js';
import { ContainerModeProvider } from '../container/container-mode-provider.js';
import { HostNoneProvider } from '../container/host-none-provider.js';
import { ContainerdImageSource } from '../container/containerd-image-source.js';
import type { ContainerEnv, RuntimeDrivers } from '../container/env.js';
import { StoreImageSource } from '../container/image-store-source.js';
import { ContainerManager } from '../container/manager.js';
import { ContainerNetworkUsage } from '../container/network-usage.js';
import type { NetworkProvider } from '../container/network-provider.js';
import type { Logger } from '../etc/types.js';
import type { GcEnv } from '../gc/types.js';
import type { AttachmentEnv } from '../attachment/types.js';
import type { NetworkEnv } from '../network/types.js';
import { buildHookCommand, type HookCommand, type SelfCommand } from '../oci/hooks.js';
import { openDataStore, type DataStoreLayout } from '../store/layout.js';
import { cniConfigOf, hookEnvOf } from './hook-env.js';
import { DEFAULT_RUN_DIR, type Settings } from './settings.js';

// How an adapter starts nerdnet again: the OCI hook's command and the CLI's (the runc shim runs
// `<cli> rm <id>` for a container that removes itself). Without them the library finds its own.
export interface Entrypoints {
  // Undefined: containers get no hooks (a build without the hook command).
  hook: SelfCommand | undefined;
  cli: SelfCommand;
  // Global flags written into the hook's command line (`--flag=value`, sorted by name).
  globalArgs: readonly string[];
}

// The hook and CLI entries beside this module: dist/nerdnet-hook.cjs and dist/nerdnet.js when built,
// the sources through tsx otherwise.
export function ownEntrypoints(s: Settings): Entrypoints {
  const here = import.meta.url;
  let hook: SelfCommand;
  let cli: SelfCommand;
  if (here.endsWith('.ts')) {
    const script = fileURLToPath(new URL('../../bin/nerdnet.ts', here));
    cli = { path: process.execPath, args: ['--import', import.meta.resolve('tsx'), script] };
    hook = cli;
  } else {
    const built = fileURLToPath(new URL('../../nerdnet-hook.cjs', here));
    cli = { path: process.execPath, args: [fileURLToPath(new URL('../../nerdnet.js', here))] };
    hook = existsSync(built) ? { path: process.execPath, args: [built] } : cli;
  }
  const globalArgs = [
    `--address=${s.address}`,
    `--cni-netconfpath=${s.confDir}`,
    `--cni-path=${s.pluginDirs.join(':')}`,
    `--data-root=${s.dataRoot}`,
    ...(s.debug ? ['--debug'] : []),
  ];
  return { hook, cli, globalArgs };
}

// The environment the hook process gets: what the caller runs with, plus the settings that the
// hook reads from its environment rather than its flags.
// Only what the environment does not already say is added, so the CLI's hooks keep their bytes.
function hookEnvironment(s: Settings): NodeJS.ProcessEnv {
  const env = s.env;
  const differs = (key: string, value: string | undefined, fallback?: string) => (value !== undefined && value !== (env[key] ?? fallback) ? { [key]: value } : {});
  return {
    ...env,
    ...differs('NERDNET_CNI_CACHE_DIR', s.cniCacheDir),
    ...differs('NERDNET_RUN_DIR', s.runDir, DEFAULT_RUN_DIR),
    ...differs('NERDCTL_BRIDGE_IP', s.bridgeIP),
    ...differs('NERDCTL_HOST_GATEWAY_IP', s.hostGatewayIP),
  };
}

// The pieces below the handles, for adapters that need them one by one (the CLI's commands).
export interface Wiring {
  settings: Settings;
  layout: () => Promise<DataStoreLayout>;
  cniConfig: (stderr?: (chunk: Buffer) => void) => CniConfig;
  networkEnv: () => Promise<NetworkEnv>;
  cniProvider: () => Promise<CniProvider>;
  containerEnv: () => Promise<ContainerEnv>;
  manager: () => Promise<ContainerManager>;
  hookCommand: () => HookCommand | undefined;
  // What a hook event run in this process needs.
  hookEnv: (log: Logger) => Promise<AttachmentEnv>;
  // What the garbage collector sweeps: this namespace, or every namespace found.
  gcEnv: (allNamespaces: boolean) => Promise<GcEnv>;
}

// Seams for tests: what runs containers (default runc or containerd, as the settings say).
export interface Seams {
  runtimes?: RuntimeDrivers;
}

export function wire(settings: Settings, entry: Entrypoints = ownEntrypoints(settings), seams: Seams = {}): Wiring {
  const s = settings;
  let layout: Promise<DataStoreLayout> | undefined;
  const openLayout = () => (layout ??= openDataStore(s.dataRoot, s.address));
  const cniConfig = (stderr?: (chunk: Buffer) => void) => cniConfigOf(s, stderr);
  const cni = cniConfig();
  const hookCommand = () => (entry.hook ? buildHookCommand(entry.hook, entry.globalArgs, hookEnvironment(s)) : undefined);
  const cniProvider = async () =>
    new CniProvider({
      network: { netconfPath: s.confDir, pluginDirs: s.pluginDirs },
      cni,
      bridgeIP: s.bridgeIP,
      hostGatewayIP: s.hostGatewayIP,
      portsLockPath: join((await openLayout()).root, 'ports.lock'),
      runDir: s.runDir,
    });
  const containerEnv = async (): Promise<ContainerEnv> => {
    const providers: NetworkProvider[] = [await cniProvider(), new ContainerModeProvider(), new HostNoneProvider(s.hostGatewayIP !== undefined ? { hostGatewayIP: s.hostGatewayIP } : {})];
    const containerd = s.backend === 'containerd';
    return {
      layout: await openLayout(),
      ns: s.namespace,
      providers,
      images: containerd ? new ContainerdImageSource(s.address) : new StoreImageSource(s.dataRoot),
      runc: s.runc,
      ...(containerd ? { containerd: { address: s.address } } : {}),
      hook: hookCommand(),
      // The shim's removal of a container that removes itself: this namespace and data store.
      nerdnet: [entry.cli.path, ...entry.cli.args, `--namespace=${s.namespace}`, `--data-root=${s.dataRoot}`, `--address=${s.address}`, `--backend=${s.backend}`],
      logger: s.logger,
      dnsDefaults: s.dns,
      ...(seams.runtimes ? { runtimes: seams.runtimes } : {}),
    };
  };
  let manager: Promise<ContainerManager> | undefined;
  return {
    settings: s,
    layout: openLayout,
    cniConfig,
    networkEnv: async () => ({
      netconfPath: s.confDir,
      namespace: s.namespace,
      pluginDirs: s.pluginDirs,
      usage: new ContainerNetworkUsage(await openLayout(), s.namespace, { cacheDir: s.cniCacheDir, cni, netconfPath: s.confDir }),
      log: s.logger,
    }),
    cniProvider,
    containerEnv,
    manager: () => (manager ??= containerEnv().then((env) => new ContainerManager(env))),
    hookCommand,
    hookEnv: (log) => hookEnvOf(s, log),
    gcEnv: async (allNamespaces) => ({
      layout: await openLayout(),
      namespace: s.namespace,
      allNamespaces,
      netconfPath: s.confDir,
      cni,
      runDir: s.runDir,
      log: s.logger,
      ...(seams.runtimes ? { runtimes: seams.runtimes } : {}),
    }),
  };
}

