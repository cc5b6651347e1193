// Networks for a program: typed create requests (no flag strings), a Network handle, list/get/prune.
// The request is turned into nerdctl's `network create` form here, so the conflist written is the
// one the CLI writes for the same flags, byte for byte.
import { NerdnetError } from '../errors.js';
import { createNetwork, type CreatedNetwork } from '../network/create.js';
import { inspectNetwork, type DockerNetwork } from '../network/inspect.js';
import { listNetworks, type NetworkSummary } from '../network/list.js';
import { pruneNetworks, removeNetworks, type RemoveResult } from '../network/remove.js';
import type { NetworkCreateRequest, NetworkEnv } from '../network/types.js';

export interface SubnetRequest {
  // CIDR, e.g. "10.4.9.0/24" or "fd00:4::/64".
  subnet: string;
  gateway?: string;
  // Hand out addresses only from this part of the subnet (CIDR).
  ipRange?: string;
}

// Driver options as `network create -o` knows them; other keys are passed through as given.
export interface NetworkDriverOptions {
  mtu?: number;
  // bridge: masquerade traffic leaving the network (default true).
  ipMasq?: boolean;
  // bridge: let containers of the network talk to each other (default true).
  icc?: boolean;
  // macvlan/ipvlan: the host interface to attach to, and the mode.
  parent?: string;
  mode?: string;
  [key: string]: string | number | boolean | undefined;
}

export interface CreateNetworkRequest {
  name: string;
  // bridge (default), macvlan or ipvlan.
  driver?: 'bridge' | 'macvlan' | 'ipvlan';
  // No subnets: a free one is picked from 10.4.1.0/24 up.
  subnets?: readonly SubnetRequest[];
  ipv6?: boolean;
  internal?: boolean;
  labels?: Readonly<Record<string, string>>;
  options?: NetworkDriverOptions;
  ipam?: {
    // default (host-local), host-local, dhcp or static.
    driver?: 'default' | 'host-local' | 'dhcp' | 'static';
    // dhcp options, each a JSON value (e.g. { "domain-name": { type: "request" } }).
    options?: Readonly<Record<string, unknown>>;
    // Addresses never handed out, by name.
    auxAddresses?: Readonly<Record<string, string>>;
  };
}

// nerdctl's option names differ from the typed ones for these two.
const OPTION_NAMES: Record<string, string> = { ipMasq: 'ip-masq' };

function pairs(record: Readonly<Record<string, unknown>> | undefined, value: (v: unknown) => string = String): string[] {
  return Object.entries(record ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${OPTION_NAMES[k] ?? k}=${value(v)}`);
}

export function networkCreateRequest(req: CreateNetworkRequest): NetworkCreateRequest {
  const subnets = req.subnets ?? [];
  return {
    name: req.name,
    ...(req.driver !== undefined ? { driver: req.driver } : {}),
    options: pairs(req.options),
    ...(req.ipam?.driver !== undefined ? { ipamDriver: req.ipam.driver } : {}),
    ipamOptions: pairs(req.ipam?.options, (v) => JSON.stringify(v)),
    subnets: subnets.map((s) => s.subnet),
    gateways: subnets.flatMap((s) => (s.gateway !== undefined ? [s.gateway] : [])),
    ipRanges: subnets.flatMap((s) => (s.ipRange !== undefined ? [s.ipRange] : [])),
    auxAddresses: pairs(req.ipam?.auxAddresses),
    labels: pairs(req.labels),
    ...(req.ipv6 !== undefined ? { ipv6: req.ipv6 } : {}),
    ...(req.internal !== undefined ? { internal: req.internal } : {}),
  };
}

// One network, by the name it was made with.
export interface Network extends AsyncDisposable {
  readonly name: string;
  // 64-hex nerdctl ID; '' for a network nerdctl did not write (no ID in its conflist).
  readonly id: string;
  // Docker's `network inspect` object, with the containers attached now.
  inspect(): Promise<DockerNetwork>;
  // Refused while a container uses it, and for the default `bridge` network.
  remove(): Promise<void>;
}

export interface Networks {
  create(req: CreateNetworkRequest): Promise<Network & { readonly created: CreatedNetwork }>;
  // By name, full ID or unique ID prefix.
  get(nameOrID: string): Promise<Network>;
  list(): Promise<NetworkSummary[]>;
  // Every unused network this tool made, but the default one.
  prune(): Promise<RemoveResult>;
}

function firstError(result: RemoveResult): void {
  const e = result.errors[0];
  if (e) throw new NerdnetError(e.code as NerdnetError['code'], e.message);
}

function handle(env: () => Promise<NetworkEnv>, name: string, id: string): Network {
  const remove = async () => firstError(await removeNetworks(await env(), [name]));
  return {
    name,
    id,
    inspect: async () => inspectNetwork(await env(), name),
    remove,
    [Symbol.asyncDispose]: remove,
  };
}

export function networksService(env: () => Promise<NetworkEnv>): Networks {
  return {
    async create(req) {
      const created = await createNetwork(await env(), networkCreateRequest(req));
      return Object.assign(handle(env, created.name, created.id), { created });
    },
    async get(nameOrID) {
      const n = await inspectNetwork(await env(), nameOrID);
      return handle(env, n.Name, n.Id ?? '');
    },
    list: async () => listNetworks(await env()),
    prune: async () => pruneNetworks(await env()),
  };
}
