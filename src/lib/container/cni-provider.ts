// The network provider for CNI networks (`bridge` and named networks, spec nerdctl 3.2): at create
// it resolves the networks (creating the default `bridge` on first use), writes resolv.conf, an
// empty hosts file and hostname, plans published ports, and hands runc the hooks; the hook
// attaches the networks when the container's netns exists (src/lib/hook).
import { NerdnetError } from '../errors.js';
import type { CniConfig } from '../cni/api.js';
import { HostsStore } from '../etc/hosts-store.js';
import { cniContainerID } from '../hook/attach-args.js';
import { detachNetworks } from '../hook/detach.js';
import { isCniMode, resolveNetworks, type ResolvedNetwork } from '../hook/networks.js';
import { readAnnotations } from '../hook/state.js';
import { contains, parseCIDR, tryParseIP } from '../ip/index.js';
import type { NetworkEnv } from '../network/types.js';
import { nerdnetHooks } from '../oci/hooks.js';
import { parsePublishFlags } from '../ports/parse.js';
import { publishPorts } from '../ports/publish.js';
import { loadPortMappings } from '../ports/store.js';
import type { PortMapping } from '../ports/types.js';
import { fileMounts, networkAnnotations, prepareProviderFiles } from './provider-files.js';
import type { NetworkPrep, NetworkProvider, NetworkProviderContext } from './network-provider.js';
import { cniNetworkSettings } from './cni-settings.js';
import type { ContainerCreateRequest, ContainerRecord, NetworkRequest } from './types.js';

export interface CniProviderOptions {
  network: Omit<NetworkEnv, 'namespace'>;
  cni: CniConfig;
  bridgeIP?: string | undefined;
  hostGatewayIP?: string | undefined;
  resolvConf?: string;
  rootless?: boolean;
  // Host-wide lock serialising port allocation.
  portsLockPath: string;
}

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

// The subnets host-local or static may hand out on a network (for --ip checks).
function subnetsOf(n: ResolvedNetwork): string[] {
  const out: string[] = [];
  for (const p of n.list.plugins) {
    const ipam = p.raw.ipam as { ranges?: Array<Array<{ subnet?: unknown }>>; subnet?: unknown } | undefined;
    for (const set of ipam?.ranges ?? []) for (const r of set) if (typeof r.subnet === 'string') out.push(r.subnet);
    if (typeof ipam?.subnet === 'string') out.push(ipam.subnet);
  }
  return out;
}

// Checks nerdctl leaves to the plugins (so they fail at start, after files were made).
function checkRequest(req: NetworkRequest, networks: readonly ResolvedNetwork[]): void {
  if (req.mac !== undefined) {
    if (!MAC.test(req.mac)) throw new NerdnetError('ERR_INVALID_ARG', `invalid --mac-address ${JSON.stringify(req.mac)}: give six hex pairs, e.g. 02:42:ac:11:00:02`);
    for (const n of networks) {
      const t = n.list.plugins[0]?.type ?? '';
      if (t !== 'bridge' && t !== 'macvlan') {
        throw new NerdnetError('ERR_INVALID_ARG', `network type "${t}" is not supported for network mapping "${n.requested}", must be one of: [bridge macvlan]`);
      }
    }
  }
  for (const [flag, value, family] of [['--ip', req.ip, 4], ['--ip6', req.ip6, 6]] as const) {
    if (value === undefined) continue;
    const bare = value.split('/')[0] ?? '';
    const ip = tryParseIP(bare);
    if (!ip || ip.family !== family) throw new NerdnetError('ERR_INVALID_ARG', `invalid ${flag} ${JSON.stringify(value)}: give an IPv${family} address`);
    for (const n of networks) {
      const subnets = subnetsOf(n).filter((s) => parseCIDR(s).network.family === family);
      if (subnets.length > 0 && !subnets.some((s) => contains(parseCIDR(s).network, ip))) {
        throw new NerdnetError('ERR_INVALID_ARG', `${flag} ${value} is outside network "${n.requested}" (${subnets.join(', ')}): pick an address inside it or another network`);
      }
    }
  }
}

export class CniProvider implements NetworkProvider {
  readonly name = 'cni';

  constructor(private readonly opts: CniProviderOptions) {}

  handles(req: NetworkRequest): boolean {
    return req.networks.length > 0 && isCniMode(req.networks);
  }

  private env(ns: string, log: NetworkEnv['log']): NetworkEnv {
    return { ...this.opts.network, namespace: ns, log };
  }

  async prepare(req: ContainerCreateRequest, ctx: NetworkProviderContext): Promise<NetworkPrep> {
    const net = req.network;
    const networks = await resolveNetworks(this.env(ctx.ns, ctx.logger), net.networks, { bridgeIP: this.opts.bridgeIP });
    checkRequest(net, networks);
    const publish = parsePublishFlags(net.publish);
    const hostsStore = new HostsStore({ layout: ctx.layout, logger: ctx.logger });
    const files = await prepareProviderFiles(net, ctx, {
      mode: 'cni',
      hostsStore,
      resolvConf: this.opts.resolvConf,
      hostGatewayIP: this.opts.hostGatewayIP,
      extra: { hostname: net.hostname ?? ctx.id.slice(0, 12) },
    });
    try {
      if (publish.length > 0 && networks.every((n) => !n.list.plugins.some((p) => p.type === 'portmap'))) {
        ctx.logger('warn', `published ports have no effect on ${networks.map((n) => n.requested).join(', ')}: no portmap plugin (an --internal network?)`);
      }
      await publishPorts(publish, {
        stateDir: ctx.stateDir,
        lockPath: this.opts.portsLockPath,
        containersRoot: ctx.layout.containersRoot(ctx.ns),
        containerID: ctx.id,
        rootless: this.opts.rootless ?? false,
      });
    } catch (e) {
      await hostsStore.delete(ctx.ns, ctx.id);
      throw e;
    }
    const annotations = networkAnnotations(files, net, net.networks);
    if (net.mac) annotations['nerdctl/mac-address'] = net.mac;
    if (!ctx.hook) throw new NerdnetError('ERR_INTERNAL', 'CNI networks need the nerdnet OCI hook, and this build has no hook command');
    return {
      mounts: fileMounts(files),
      annotations,
      hooks: nerdnetHooks(ctx.hook),
      netns: { mode: 'new' },
      hostname: files.hostname,
      domainname: files.domainname,
      env: [`HOSTNAME=${files.hostname}`],
      sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0' },
      networks: net.networks,
    };
  }

  // rm: the hosts entry goes; attachments the postStop hook never removed (a crash, a killed
  // runc) are DELed from what the result cache remembers, so nothing leaks.
  async release(c: ContainerRecord, ctx: NetworkProviderContext): Promise<void> {
    if ((await this.opts.cni.cache.attachments(cniContainerID(c.namespace, c.id))).length > 0) {
      ctx.logger('info', `removing network attachments of ${c.name} left by an interrupted stop`);
      await detachNetworks({ cni: this.opts.cni, network: this.env(c.namespace, ctx.logger), ann: readAnnotations(c.annotations), id: c.id, log: ctx.logger });
    }
    await new HostsStore({ layout: ctx.layout, logger: ctx.logger }).delete(c.namespace, c.id);
  }

  async networkSettings(c: ContainerRecord, ctx: NetworkProviderContext, running: boolean): Promise<Record<string, unknown>> {
    const meta = running ? await new HostsStore({ layout: ctx.layout, logger: ctx.logger }).get(c.namespace, c.id) : undefined;
    return cniNetworkSettings(c.network.networks, meta?.Networks ?? null, running ? await this.ports(c, ctx) : []);
  }

  async ports(_c: ContainerRecord, ctx: NetworkProviderContext): Promise<PortMapping[]> {
    return (await loadPortMappings(ctx.stateDir)).mappings;
  }
}
