// The network provider for CNI networks (`bridge` and named networks): at create
// it resolves the networks (creating the default `bridge` on first use), writes resolv.conf, an
// empty hosts file and hostname, plans published ports, and hands runc the hooks; the hook
// attaches the networks when the container's netns exists (src/lib/hook).
import { defaultHostname } from '../etc/hostname.js';
import type { NetworkSettings } from './inspect-types.js';
import { NerdnetError } from '../errors.js';
import type { CniConfig } from '../cni/api.js';
import { HostsStore } from '../etc/hosts-store.js';
import { cniContainerID } from '../attachment/args.js';
import { detachContainer, releaseContainer } from '../attachment/detach.js';
import { isCniMode, resolveNetworks, type ResolvedNetwork } from '../attachment/networks.js';
import { readAnnotations } from '../hook/state.js';
import type { NetworkEnv } from '../network/types.js';
import { nerdnetHooks } from '../oci/hooks.js';
import { checkHostAddresses, refuseIPv6Loopback } from '../ports/host-address.js';
import { parseExposedPorts, parsePublishFlags, publishAllRequests } from '../ports/parse.js';
import { publishPorts } from '../ports/publish.js';
import { loadPortMappings } from '../ports/store.js';
import type { PortMapping, PublishRequest } from '../ports/types.js';
import { fileMounts, networkAnnotations, prepareProviderFiles } from './provider-files.js';
import type { NetworkPrep, NetworkProvider, NetworkProviderContext } from './network-provider.js';
import { cniNetworkSettings } from './cni-settings.js';
import { checkNetworkRequest } from './network-checks.js';
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
  // Where port reservers keep their pid files (nerdctl: /run/nerdctl).
  runDir: string;
}

// A request's networks as resolved, and its -p values parsed, once both were checked.
interface CheckedRequest {
  networks: ResolvedNetwork[];
  publish: PublishRequest[];
}

export class CniProvider implements NetworkProvider {
  readonly name = 'cni';

  // validate() and prepare() of one create see the same request: its networks are resolved once.
  private readonly resolved = new WeakMap<NetworkRequest, Promise<CheckedRequest>>();

  constructor(private readonly opts: CniProviderOptions) {}

  handles(req: NetworkRequest): boolean {
    return req.networks.length > 0 && isCniMode(req.networks);
  }

  private env(ns: string, log: NetworkEnv['log']): NetworkEnv {
    return { ...this.opts.network, namespace: ns, log };
  }

  // Before create makes anything: the networks, MAC, addresses and -p host IPs the start would fail on.
  async validate(req: ContainerCreateRequest, ctx: NetworkProviderContext): Promise<void> {
    await this.checked(req.network, ctx.ns, ctx.logger);
  }

  private checked(net: NetworkRequest, ns: string, log: NetworkEnv['log']): Promise<CheckedRequest> {
    let found = this.resolved.get(net);
    if (!found) {
      found = this.check(net, ns, log);
      this.resolved.set(net, found);
    }
    return found;
  }

  private async check(net: NetworkRequest, ns: string, log: NetworkEnv['log']): Promise<CheckedRequest> {
    const networks = await resolveNetworks(this.env(ns, log), net.networks, { bridgeIP: this.opts.bridgeIP });
    checkNetworkRequest(net, networks);
    const publish = parsePublishFlags(net.publish);
    const exposed = parseExposedPorts(net.expose ?? []);
    if (net.publishAll) publish.push(...publishAllRequests(exposed, publish));
    refuseIPv6Loopback(publish);
    // Rootless: host IPs are the parent namespace's, which this process cannot bind to test.
    if (!this.opts.rootless) await checkHostAddresses(publish);
    return { networks, publish };
  }

  async prepare(req: ContainerCreateRequest, ctx: NetworkProviderContext): Promise<NetworkPrep> {
    const net = req.network;
    const { networks, publish } = await this.checked(net, ctx.ns, ctx.logger);
    const hostsStore = new HostsStore({ layout: ctx.layout, logger: ctx.logger });
    const files = await prepareProviderFiles(net, ctx, {
      mode: 'cni',
      hostsStore,
      resolvConf: this.opts.resolvConf,
      hostGatewayIP: this.opts.hostGatewayIP,
      // With --uts=host the container has no hostname of its own to default.
      extra: { hostname: net.hostname ?? (net.utsHost ? undefined : defaultHostname(ctx.id)) },
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

  // rm: attachments the postStop hook never removed (a crash, a killed runc) are detached as postStop
  // would, then the hosts entry and the port reserver go, so nothing leaks.
  async release(c: ContainerRecord, ctx: NetworkProviderContext): Promise<void> {
    if ((await this.opts.cni.cache.attachments(cniContainerID(c.namespace, c.id))).length > 0) {
      ctx.logger('info', `removing network attachments of ${c.name} left by an interrupted stop`);
      const detachEnv = { cni: this.opts.cni, netconfPath: this.opts.network.netconfPath, log: ctx.logger };
      await detachContainer(detachEnv, this.env(c.namespace, ctx.logger), readAnnotations(c.annotations), c.id);
    }
    await releaseContainer({ layout: ctx.layout, runDir: this.opts.runDir, log: ctx.logger }, c.namespace, c.id, { remove: true });
  }

  async networkSettings(c: ContainerRecord, ctx: NetworkProviderContext, running: boolean): Promise<NetworkSettings> {
    const meta = running ? await new HostsStore({ layout: ctx.layout, logger: ctx.logger }).get(c.namespace, c.id) : undefined;
    return cniNetworkSettings(c.network.networks, meta?.Networks ?? null, running ? await this.ports(c, ctx) : []);
  }

  async ports(_c: ContainerRecord, ctx: NetworkProviderContext): Promise<PortMapping[]> {
    return (await loadPortMappings(ctx.stateDir)).mappings;
  }
}
