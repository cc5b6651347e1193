// What every container operation needs: the data store, the namespace, the providers and the runtime.
import type { Logger } from '../etc/types.js';
import type { HookCommand } from '../oci/hooks.js';
import { Runc } from '../runtime/runc.js';
import type { RuncOptions } from '../runtime/runc.js';
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
  // The OCI hook command (spec 6.1); undefined = no hooks are injected.
  hook?: HookCommand;
  // argv that runs nerdnet with the same global flags; the shim runs `<nerdnet> rm <id>` for --rm.
  nerdnet?: readonly string[];
  logger: Logger;
}

export function recordsOf(env: ContainerEnv): ContainerRecords {
  return new ContainerRecords(env.layout, env.ns);
}

// The runc a container was created with.
export function runcFor(rec: ContainerRecord): Runc {
  return new Runc({ binary: rec.runtime.binary, ...(rec.runtime.root !== undefined ? { root: rec.runtime.root } : {}) });
}

export function providerContext(env: ContainerEnv, rec: Pick<ContainerRecord, 'id' | 'name'>, stateDir: string): NetworkProviderContext {
  return { layout: env.layout, ns: env.ns, id: rec.id, name: rec.name, stateDir, hook: env.hook, logger: env.logger };
}
