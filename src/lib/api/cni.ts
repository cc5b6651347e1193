// go-cni's shape over the CNI runtime: load a set of networks once (eth0..N, optionally loopback),
// then setup/remove/check/status a container's namespace against all of them, with typed
// capability args. CniConfig (libcni) stays underneath for single-network calls.
import type { CniConfig } from '../cni/api.js';
import { checkNetworks, teardownNetworks, setupNetworks, LOOPBACK_CONFLIST, type AttachArgs, type AttachResult, type NetworkAttachment } from '../cni/attach.js';
import { confListFromBytes, type NetworkConfigList } from '../cni/conf.js';
import { NerdnetError } from '../errors.js';
import { networkByNameOrID, readVisibleNetworks } from '../network/store.js';
import type { PortMapping } from '../ports/types.js';

export interface LoadNetworksOptions {
  // Names (or IDs) of networks in the conf dir, or conflists already parsed; attached as eth0, eth1, ...
  networks: ReadonlyArray<string | NetworkConfigList>;
  // Interface name prefix; default "eth".
  ifPrefix?: string;
  // Also bring up `lo` with the loopback plugin first (go-cni's WithLoNetwork).
  loopback?: boolean;
}

export interface SetupOptions {
  // The portMappings capability (portmap).
  portMappings?: readonly PortMapping[];
  // The ips capability: addresses to ask IPAM for, with prefix ("10.4.1.9/24").
  ips?: readonly string[];
  // The mac capability.
  mac?: string;
  // CNI_ARGS pairs for every plugin (e.g. { IgnoreUnknown: "1" }).
  args?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface LoadedNetworks {
  readonly attachments: readonly NetworkAttachment[];
  // ADD of every network in parallel; a failure DELs what was added and rejects.
  setup(containerID: string, netns: string, opts?: SetupOptions): Promise<AttachResult>;
  // DEL of every network, last first; the netns may be gone ("").
  remove(containerID: string, netns: string, opts?: SetupOptions): Promise<void>;
  check(containerID: string, netns: string, opts?: SetupOptions): Promise<void>;
  // STATUS of every network's plugins (CNI >= 1.1.0; older ones count as ready).
  status(opts?: { signal?: AbortSignal }): Promise<void>;
}

export interface Cni {
  // libcni: ADD/DEL/CHECK/GC/VERSION of one network list, with this instance's settings.
  config(): Promise<CniConfig>;
  load(opts: LoadNetworksOptions): Promise<LoadedNetworks>;
}

function attachArgs(containerID: string, netns: string, o: SetupOptions): AttachArgs {
  const capabilityArgs: NonNullable<AttachArgs['capabilityArgs']> = {};
  if (o.portMappings) capabilityArgs.portMappings = o.portMappings.map((m) => ({ ...m }));
  if (o.ips) capabilityArgs.ips = [...o.ips];
  if (o.mac !== undefined) capabilityArgs.mac = o.mac;
  return { containerID, netns, args: Object.entries(o.args ?? {}), capabilityArgs };
}

export function cniService(config: CniConfig, confDir: string, namespace: string): Cni {
  return {
    config: () => Promise.resolve(config),
    async load(opts) {
      const byName = opts.networks.some((n) => typeof n === 'string') ? await readVisibleNetworks(confDir, namespace) : [];
      const lists = opts.networks.map((n) => {
        if (typeof n !== 'string') return n;
        const found = networkByNameOrID(byName, n);
        if (!found) throw new NerdnetError('ERR_NOT_FOUND', `no network ${JSON.stringify(n)} in ${confDir} (namespace "${namespace}"); create it first or pass its conflist`);
        return found.list;
      });
      const prefix = opts.ifPrefix ?? 'eth';
      const attachments: NetworkAttachment[] = lists.map((list, i) => ({ list, ifName: `${prefix}${i}` }));
      if (opts.loopback) attachments.unshift({ list: confListFromBytes(Buffer.from(LOOPBACK_CONFLIST)), ifName: 'lo' });
      const signalOf = (o: { signal?: AbortSignal }) => (o.signal ? { signal: o.signal } : {});
      return {
        attachments,
        setup: (id, netns, o = {}) => setupNetworks(config, attachments, attachArgs(id, netns, o), signalOf(o)),
        remove: (id, netns, o = {}) => teardownNetworks(config, attachments, attachArgs(id, netns, o), signalOf(o)),
        check: (id, netns, o = {}) => checkNetworks(config, attachments, attachArgs(id, netns, o), signalOf(o)),
        async status(o = {}) {
          for (const a of attachments) await config.getStatusNetworkList(a.list, signalOf(o));
        },
      };
    },
  };
}
