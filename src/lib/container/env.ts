// What every container operation needs: the data store, the namespace, the providers and the runtime.
import type { DnsSettings, Logger } from '../etc/types.js';
import type { HookCommand } from '../oci/hooks.js';
import { NerdnetError } from '../errors.js';
import type { RuncOptions } from '../runtime/runc.js';
import { RuncRuntime } from '../runtime/runc-runtime.js';
import type { ContainerRuntime, RuntimeContainer, RuntimeFiles } from '../runtime/types.js';
import type { DataStoreLayout } from '../store/layout.js';
import type { ImageSource } from './image-source.js';
import type { NetworkProvider, NetworkProviderContext } from './network-provider.js';
import type { ContainerRecord } from './types.js';
import { ContainerRecords } from './records.js';

export interface ContainerEnv {
  layout: DataStoreLayout;
  ns: string;
  // Consulted in order; the first whose handles() accepts the request prepares the container.
  providers: readonly NetworkProvider[];
  images?: ImageSource;
  // runc for new containers; existing ones keep the binary and --root they were created with.
  runc: RuncOptions;
  // Set: new containers run as containerd tasks (the containerd namespace is `ns`). Unset: runc.
  containerd?: { address: string };
  // The OCI hook command; undefined = no hooks are injected.
  hook?: HookCommand;
  // argv that runs nerdnet with the same global flags; the shim runs `<nerdnet> rm <id>` for --rm.
  nerdnet?: readonly string[];
  logger: Logger;
  // nerdctl.toml's dns, dns_search, dns_opts: for a container that gives none of its own.
  dnsDefaults?: DnsSettings;
  // What runs containers; default runc or containerd as the record says (tests pass fakes).
  runtimes?: RuntimeDrivers;
}

// The seam between containers and their runtimes.
export interface RuntimeDrivers {
  // The runtime new containers get.
  forNew(env: ContainerEnv): Promise<ContainerRuntime>;
  // The runtime an existing container was created with.
  forRecord(rec: ContainerRecord): Promise<ContainerRuntime>;
}

export function recordsOf(env: ContainerEnv): ContainerRecords {
  return new ContainerRecords(env.layout, env.ns);
}

// runc, or containerd (whose driver and gRPC load only when used), as the env or the record says.
export const backendDrivers: RuntimeDrivers = {
  async forNew(env) {
    if (!env.containerd) return new RuncRuntime(env.runc);
    const { ContainerdRuntime } = await import('../containerd/containerd-runtime.js');
    return ContainerdRuntime.connect({ address: env.containerd.address, namespace: env.ns });
  },
  async forRecord(rec) {
    const r = rec.runtime;
    if (r.backend === undefined || r.backend === 'runc') return RuncRuntime.fromRecord(r);
    if (r.backend === 'containerd') {
      const { ContainerdRuntime } = await import('../containerd/containerd-runtime.js');
      return ContainerdRuntime.fromRecord(r);
    }
    throw new NerdnetError('ERR_INVALID_CONFIG', `container ${rec.name} has an unknown runtime backend ${JSON.stringify(r.backend)} in its record; remove its state dir by hand`);
  },
};

export function newRuntime(env: ContainerEnv): Promise<ContainerRuntime> {
  return (env.runtimes ?? backendDrivers).forNew(env);
}

// The runtime a container was created with (its record says which backend, binary and address).
export function runtimeFor(rec: ContainerRecord, drivers: RuntimeDrivers = backendDrivers): Promise<ContainerRuntime> {
  return drivers.forRecord(rec);
}

// start and rm use the current image source on the container's rootfs: it must be its backend's.
export function checkSameBackend(env: ContainerEnv, rec: ContainerRecord): void {
  const made = rec.runtime.backend ?? 'runc';
  const now = env.containerd ? 'containerd' : 'runc';
  if (rec.rootfs.kind === 'image' && made !== now) {
    throw new NerdnetError('ERR_INVALID_ARG', `container ${rec.name} was made with the ${made} backend and its image lives there: run this command with --backend ${made}`);
  }
}

// The runtime's view of a container: its ID, name, files and last launched PID.
export function runtimeContainer(rec: ContainerRecord, files: RuntimeFiles): RuntimeContainer {
  return { id: rec.id, name: rec.name, files, ...(rec.state.shimPid !== undefined ? { launchedPid: rec.state.shimPid } : {}) };
}

export function providerContext(env: ContainerEnv, rec: Pick<ContainerRecord, 'id' | 'name'>, stateDir: string): NetworkProviderContext {
  return {
    layout: env.layout,
    ns: env.ns,
    id: rec.id,
    name: rec.name,
    stateDir,
    hook: env.hook,
    logger: env.logger,
    ...(env.dnsDefaults ? { dnsDefaults: env.dnsDefaults } : {}),
    ...(env.runtimes ? { runtimes: env.runtimes } : {}),
  };
}
