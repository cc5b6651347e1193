// The built-in network provider for `--network none`, `--network host` and `--network ns:<path>`
// (an existing network namespace, nerdctl's extension; files as in host mode): no CNI, so
// everything happens at create time: resolv.conf, hosts and hostname files, the hosts store entry
//, the bind mounts, the nerdctl/* annotations and the OCI hooks.
import type { NetworkSettings } from './inspect-types.js';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { NerdnetError } from '../errors.js';
import { hostname as osHostname } from 'node:os';
import { HostsStore } from '../etc/hosts-store.js';
import { nerdnetHooks } from '../oci/hooks.js';
import { parsePublishFlags } from '../ports/parse.js';
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

type Mode = 'host' | 'none' | 'ns';

const NS_PREFIX = 'ns:';

function modeOf(req: NetworkRequest): Mode | undefined {
  const [only, ...rest] = req.networks;
  if (rest.length > 0 || only === undefined) return undefined;
  if (only === 'host' || only === 'none') return only;
  return only.startsWith(NS_PREFIX) ? 'ns' : undefined;
}

// The netns path of `ns:<path>`: absolute, and there (a file, as `ip netns add` makes under /run/netns).
async function nsPath(network: string): Promise<string> {
  const path = network.slice(NS_PREFIX.length);
  const given = `--network ${JSON.stringify(network)}`;
  if (!isAbsolute(path) || path.includes('\0')) throw new NerdnetError('ERR_INVALID_ARG', `invalid ${given}: give the absolute path of a network namespace, like ns:/run/netns/NAME`);
  try {
    if ((await stat(path)).isDirectory()) throw new NerdnetError('ERR_INVALID_ARG', `invalid ${given}: ${path} is a directory, not a network namespace; give ns:/run/netns/NAME`);
  } catch (err) {
    if (NerdnetError.is(err)) throw err;
    throw new NerdnetError('ERR_INVALID_ARG', `invalid ${given}: ${path} does not exist; create the namespace first (ip netns add NAME)`);
  }
  return path;
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

  async validate(req: ContainerCreateRequest): Promise<void> {
    const [network = ''] = req.network.networks;
    if (modeOf(req.network) === 'ns') await nsPath(network);
  }

  async prepare(req: ContainerCreateRequest, ctx: NetworkProviderContext): Promise<NetworkPrep> {
    const mode = modeOf(req.network) as Mode;
    const net = req.network;
    const [network = mode] = net.networks;
    const path = mode === 'ns' ? await nsPath(network) : undefined;
    // Docker discards published ports and nerdctl clears the MAC in these modes; nerdctl still
    // parses -p first, so a malformed one is refused here too.
    parsePublishFlags(net.publish);
    if (net.publish.length > 0) ctx.logger('warn', `published ports are discarded when using --network ${mode}: ${net.publish.join(', ')}`);
    if (net.mac) ctx.logger('warn', `--mac-address ${net.mac} is ignored with --network ${mode}`);
    const hostsStore = new HostsStore({ layout: ctx.layout, logger: ctx.logger });
    const files = await prepareProviderFiles(net, ctx, {
      mode,
      hostsStore,
      resolvConf: this.opts.resolvConf,
      hostGatewayIP: this.opts.hostGatewayIP,
      extra: { hostHostname: osHostname(), hostEtcHosts: mode !== 'none' ? await readOptional(this.opts.hostsFile ?? '/etc/hosts') : undefined },
    });
    try {
      await hostsStore.acquire({ ns: ctx.ns, id: ctx.id, meta: { name: ctx.name, hostname: files.hostname, domainname: files.domainname, extraHosts: files.extraHosts } });
    } catch (err) {
      await hostsStore.delete(ctx.ns, ctx.id);
      throw err;
    }
    // withDedupMounts (issue #2685): a user mount at the same place wins in host/none modes.
    const taken = new Set(req.mounts.map((m) => m.destination));
    const annotations = networkAnnotations(files, net, [network]);
    return {
      mounts: fileMounts(files).filter((m) => !taken.has(m.destination)),
      annotations,
      hooks: ctx.hook ? nerdnetHooks(ctx.hook) : {},
      netns: path !== undefined ? { mode: 'path', path } : { mode: mode === 'host' ? 'host' : 'new' },
      hostname: files.hostname,
      domainname: files.domainname,
      env: [`HOSTNAME=${files.hostname}`],
      // Every mode but host lets unprivileged processes bind low ports.
      ...(mode !== 'host' ? { sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0' } } : {}),
      networks: [network],
    };
  }

  // rm: the hosts store entry goes; the state dir files go with the state dir.
  async release(c: ContainerRecord, ctx: NetworkProviderContext): Promise<void> {
    await new HostsStore({ layout: ctx.layout, logger: ctx.logger }).delete(c.namespace, c.id);
  }

  async networkSettings(c: ContainerRecord): Promise<NetworkSettings> {
    const mode = modeOf(c.network) === undefined ? 'none' : (c.network.networks[0] ?? 'none');
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
