// The create-time step: scan used ports, plan this container's mappings and
// record them, all under one host-wide lock so concurrent creates cannot plan the same port.
import { withLock } from '../store/flock.js';
import { allocatePorts } from './allocate.js';
import type { AllocateOptions } from './allocate.js';
import { readStoredClaims, writeNetworkConfig } from './store.js';
import type { StoredClaimsOptions } from './store.js';
import type { PortSources } from './sources.js';
import { scanPortUsage } from './used.js';
import type { PortMapping, PublishRequest } from './types.js';

export interface PublishPortsOptions extends AllocateOptions {
  // containers/<ns>/<id> of the container being created.
  stateDir: string;
  // Host-wide lock file serialising allocation, e.g. <dataStore>/ports.lock.
  lockPath: string;
  // <dataStore>/containers: other containers' network-config.json count as used.
  containersRoot?: string;
  // The container's own ID (excluded from the claims) and how other containers count.
  containerID?: string;
  classify?: StoredClaimsOptions['classify'];
  sources?: PortSources;
  lockTimeoutMs?: number;
}

export interface PublishPortsResult {
  mappings: PortMapping[];
  // Sources that could not be read (e.g. ip6tables missing); worth a warning, not a failure.
  warnings: readonly string[];
}

/** Plan host ports for `requests` and write network-config.json (`{}` when there are none). */
export async function publishPorts(requests: readonly PublishRequest[], opts: PublishPortsOptions): Promise<PublishPortsResult> {
  if (requests.length === 0) {
    await writeNetworkConfig(opts.stateDir, []);
    return { mappings: [], warnings: [] };
  }
  return withLock(
    opts.lockPath,
    async () => {
      const claims = opts.containersRoot
        ? await readStoredClaims(opts.containersRoot, { exclude: new Set(opts.containerID ? [opts.containerID] : []), classify: opts.classify })
        : [];
      const usage = await scanPortUsage({ sources: opts.sources, protocols: [...new Set(requests.map((r) => r.protocol))], claims });
      const mappings = allocatePorts(requests, usage, opts);
      await writeNetworkConfig(opts.stateDir, mappings);
      return { mappings, warnings: usage.warnings };
    },
    { timeoutMs: opts.lockTimeoutMs },
  );
}
