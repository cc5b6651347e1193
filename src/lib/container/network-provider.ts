// The seam between containers and networking: a NetworkProvider prepares a container's network
// (files, mounts, annotations, OCI hooks, netns) at create time and releases it at rm. The default
// provider serves `none` and `host`; the CNI provider (bridge and named networks) plugs in here.
import type { NetworkSettings } from './inspect-types.js';
import type { RuntimeDrivers } from './env.js';
import { NerdnetError } from '../errors.js';
import type { DnsSettings, Logger } from '../etc/types.js';
import type { NetnsSpec } from '../oci/spec.js';
import type { HookCommand } from '../oci/hooks.js';
import type { Hooks, Mount } from '../oci/types.js';
import type { PortMapping } from '../ports/types.js';
import type { DataStoreLayout } from '../store/layout.js';
import type { ContainerCreateRequest, ContainerRecord, NetworkRequest } from './types.js';

export interface NetworkProviderContext {
  layout: DataStoreLayout;
  ns: string;
  id: string;
  name: string;
  // containers/<ns>/<id> (annotation nerdctl/state-dir).
  stateDir: string;
  // `<nerdnet> [global flags] internal oci-hook`, or undefined when this build has no hook
  // command; turn it into entries with nerdnetHooks() from src/lib/oci.
  hook: HookCommand | undefined;
  logger: Logger;
  // nerdctl.toml's dns, dns_search, dns_opts: each used when the request gives none of that kind.
  dnsDefaults?: DnsSettings;
  // What runs containers (a container: mode target's state); default: as its record says.
  runtimes?: RuntimeDrivers;
}

// What the provider decided; the container layer puts it into the OCI spec as given.
export interface NetworkPrep {
  // Bind mounts of /etc/resolv.conf, /etc/hosts, /etc/hostname.
  mounts: Mount[];
  // nerdctl's nerdctl/* networking keys (hostname, domainname, extraHosts, networks, dns, ip, ...);
  // the container layer adds nerdctl/namespace, nerdctl/name, nerdctl/state-dir, nerdctl/host-config.
  annotations: Record<string, string>;
  // createRuntime + poststop entries; appended to the spec's hooks.
  hooks: Hooks;
  netns: NetnsSpec;
  hostname: string;
  domainname: string;
  // Appended last to the process env.
  env: string[];
  sysctl?: Record<string, string>;
  // The network names to record (label nerdctl/networks), e.g. ["bridge"], ["host"].
  networks: string[];
}

export interface NetworkProvider {
  readonly name: string;
  // True when this provider serves the requested networks (first match wins).
  handles(req: NetworkRequest): boolean;
  // Check the request before create makes anything (state dir, name): what would fail later or be
  // ignored is refused here. prepare may check again.
  validate?(req: ContainerCreateRequest, ctx: NetworkProviderContext): Promise<void>;
  // Validate, then write what the container needs. On failure nothing it made may be left behind.
  prepare(req: ContainerCreateRequest, ctx: NetworkProviderContext): Promise<NetworkPrep>;
  // rm (and rollback of a failed create after prepare succeeded): undo prepare. Must tolerate parts
  // being gone already (e.g. the postStop hook released them).
  release(c: ContainerRecord, ctx: NetworkProviderContext): Promise<void>;
  // Before every start: a netns path to join instead of the one in the bundle (container: mode,
  // whose target may have restarted with another PID).
  netnsAtStart?(c: ContainerRecord, ctx: NetworkProviderContext): Promise<string>;
  // stop/kill, before the signal.
  beforeStop?(c: ContainerRecord, ctx: NetworkProviderContext): Promise<void>;
  // inspect's NetworkSettings (Docker shape: IPAddress, MacAddress, Networks, Ports, ...).
  networkSettings?(c: ContainerRecord, ctx: NetworkProviderContext, running: boolean): Promise<NetworkSettings>;
  // ps PORTS and `port`.
  ports?(c: ContainerRecord, ctx: NetworkProviderContext): Promise<PortMapping[]>;
}

// The first provider that serves the request; an error naming the networks otherwise.
export function selectProvider(providers: readonly NetworkProvider[], req: NetworkRequest): NetworkProvider {
  const found = providers.find((p) => p.handles(req));
  if (found) return found;
  const nets = req.networks.join(',');
  const special = req.networks.filter((n) => n === 'host' || n === 'none');
  if (special.length > 0 && req.networks.length > 1) {
    throw new NerdnetError('ERR_INVALID_ARG', `conflicting options: --network ${special[0]} cannot be combined with other networks (got "${nets}"); give it alone`);
  }
  throw new NerdnetError(
    'ERR_INVALID_ARG',
    `network "${nets}" is not available: this nerdnet has no network provider for it (providers: ${providers.map((p) => p.name).join(', ') || 'none'}); use --network none or --network host`,
  );
}

export function providerByName(providers: readonly NetworkProvider[], name: string): NetworkProvider {
  const found = providers.find((p) => p.name === name);
  if (!found) throw new NerdnetError('ERR_NOT_FOUND', `network provider "${name}" that created this container is not available; cannot manage its network`);
  return found;
}
