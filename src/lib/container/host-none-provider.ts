// The built-in network provider for `--network none` and `--network host`: no CNI, so
// everything happens at create time: resolv.conf, hosts and hostname files, the hosts store entry
//, the bind mounts, the nerdctl/* annotations and the OCI hooks.
import type { NetworkSettings } from './inspect-types.js';
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { HostsStore } from '../etc/hosts-store.js';
import { nerdnetHooks } from '../oci/hooks.js';
import type { PortMapping } from '../ports/types.js';
import type { NetworkPrep, NetworkProvider, NetworkProviderContext } from './network-provider.js';
import { fileMounts, networkAnnotations, prepareProviderFiles } from './provider-files.js';
import type { ContainerCreateRequest, ContainerRecord, NetworkRequest } from './types.js';

export interface HostNoneProviderOptions {
  // --host-gateway-ip for `--add-host NAME:host-gateway`.
  hostGatewayIP?: string;
  // Host inputs, overridable for tests.
  hostsFile?: string;
  resolvConf?: string;
}

type Mode = 'host' | 'none';

function modeOf(req: NetworkRequest): Mode | undefined {
  const [only, ...rest] = req.networks;
  return rest.length === 0 && (only === 'host' || only === 'none') ? only : undefined;
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

export class HostNoneProvider implements NetworkProvider {
  readonly name = 'host-none';

  constructor(private readonly opts: HostNoneProviderOptions = {}) {}

  handles(req: NetworkRequest): boolean {
    return modeOf(req) !== undefined;
  }

  async prepare(req: ContainerCreateRequest, ctx: NetworkProviderContext): Promise<NetworkPrep> {
    const mode = modeOf(req.network) as Mode;
    const net = req.network;
    // Docker discards published ports and nerdctl clears the MAC in these modes.
    if (net.publish.length > 0) ctx.logger('warn', `published ports are discarded when using --network ${mode}: ${net.publish.join(', ')}`);
    if (net.mac) ctx.logger('warn', `--mac-address ${net.mac} is ignored with --network ${mode}`);
    const hostsStore = new HostsStore({ layout: ctx.layout, logger: ctx.logger });
    const files = await prepareProviderFiles(net, ctx, {
      mode,
      hostsStore,
      resolvConf: this.opts.resolvConf,
      hostGatewayIP: this.opts.hostGatewayIP,
      extra: { hostHostname: osHostname(), hostEtcHosts: mode === 'host' ? await readOptional(this.opts.hostsFile ?? '/etc/hosts') : undefined },
    });
    try {
      await hostsStore.acquire({ ns: ctx.ns, id: ctx.id, meta: { name: ctx.name, hostname: files.hostname, domainname: files.domainname, extraHosts: files.extraHosts } });
    } catch (err) {
      await hostsStore.delete(ctx.ns, ctx.id);
      throw err;
    }
    // withDedupMounts (issue #2685): a user mount at the same place wins in host/none modes.
    const taken = new Set(req.mounts.map((m) => m.destination));
    const annotations = networkAnnotations(files, net, [mode]);
    return {
      mounts: fileMounts(files).filter((m) => !taken.has(m.destination)),
      annotations,
      hooks: ctx.hook ? nerdnetHooks(ctx.hook) : {},
      netns: { mode: mode === 'host' ? 'host' : 'new' },
      hostname: files.hostname,
      domainname: files.domainname,
      env: [`HOSTNAME=${files.hostname}`],
      // Every mode but host lets unprivileged processes bind low ports.
      ...(mode === 'none' ? { sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0' } } : {}),
      networks: [mode],
    };
  }

  // rm: the hosts store entry goes; the state dir files go with the state dir.
  async release(c: ContainerRecord, ctx: NetworkProviderContext): Promise<void> {
    await new HostsStore({ layout: ctx.layout, logger: ctx.logger }).delete(c.namespace, c.id);
  }

  async networkSettings(c: ContainerRecord): Promise<NetworkSettings> {
    const mode = modeOf(c.network) ?? 'none';
    return {
      Ports: {},
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: '',
      IPPrefixLen: 0,
      MacAddress: '',
      Networks: { [mode]: { IPAddress: '', IPPrefixLen: 0, GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: '' } },
    };
  }

  async ports(): Promise<PortMapping[]> {
    return [];
  }
}
