// `--network container:<name|id>`: join a running container's network
// namespace and share its resolv.conf, hosts and hostname. No CNI work of its own; at every start
// the netns path is taken again from the target's current process (nerdctl's ReconfigNetContainer).
import type { NetworkSettings } from './inspect-types.js';
import { existsSync } from 'node:fs';
import { NerdnetError } from '../errors.js';
import { nerdnetHooks } from '../oci/hooks.js';
import type { PortMapping } from '../ports/types.js';
import type { NetworkPrep, NetworkProvider, NetworkProviderContext } from './network-provider.js';
import { bindMount } from './provider-files.js';
import { ContainerRecords } from './records.js';
import { observe } from './status.js';
import { runtimeFor, type RuntimeDrivers } from './env.js';
import type { ContainerCreateRequest, ContainerRecord, NetworkRequest } from './types.js';

const PREFIX = 'container:';

function targetRef(req: NetworkRequest): string | undefined {
  const [only, ...rest] = req.networks;
  return only?.startsWith(PREFIX) && rest.length === 0 ? only.slice(PREFIX.length) : undefined;
}

// Flags that belong to the target's network.
function conflicts(req: NetworkRequest): string[] {
  const out: string[] = [];
  if (req.hostname) out.push('--hostname');
  if (req.domainname) out.push('--domainname');
  if (req.publish.length > 0) out.push('--publish');
  if (req.dns.length > 0) out.push('--dns');
  if (req.addHost.length > 0) out.push('--add-host');
  if (req.ip) out.push('--ip');
  if (req.ip6) out.push('--ip6');
  if (req.mac) out.push('--mac-address');
  return out;
}

// The target's netns, which exists only while it runs.
async function targetNetns(records: ContainerRecords, ref: string, drivers: RuntimeDrivers | undefined): Promise<{ target: ContainerRecord; path: string }> {
  const target = await records.resolve(ref);
  const state = await observe(target, records.paths(target.id), await runtimeFor(target, drivers));
  if (!state.running || state.pid <= 0) {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid target container: ${target.name} (${target.id.slice(0, 12)}), should be running; start it first`);
  }
  return { target, path: `/proc/${state.pid}/ns/net` };
}

export class ContainerModeProvider implements NetworkProvider {
  readonly name = 'container';

  handles(req: NetworkRequest): boolean {
    return req.networks.some((n) => n.startsWith(PREFIX));
  }

  async prepare(req: ContainerCreateRequest, ctx: NetworkProviderContext): Promise<NetworkPrep> {
    const ref = targetRef(req.network);
    if (ref === undefined) {
      throw new NerdnetError('ERR_INVALID_ARG', "conflicting options: exactly one network specification is allowed when using '--network=container:<container>'");
    }
    const bad = conflicts(req.network);
    if (bad.length > 0) {
      throw new NerdnetError('ERR_INVALID_ARG', `conflicting options: the following arguments are not supported when using \`--network=container:${ref}\`: [${bad.join(' ')}]`);
    }
    const records = new ContainerRecords(ctx.layout, ctx.ns);
    const { target, path } = await targetNetns(records, ref, ctx.runtimes);
    const mounts = [
      bindMount(ctx.layout.resolvConfPath(ctx.ns, target.id), '/etc/resolv.conf'),
      bindMount(ctx.layout.hostsPath(ctx.ns, target.id), '/etc/hosts'),
    ];
    const hostnameFile = ctx.layout.hostnamePath(ctx.ns, target.id);
    if (existsSync(hostnameFile)) mounts.push(bindMount(hostnameFile, '/etc/hostname'));
    // nerdctl: the target's hostname, empty with --uts=host.
    const hostname = req.network.utsHost ? '' : target.config.hostname;
    const networks = [`${PREFIX}${target.id}`];
    return {
      mounts,
      annotations: {
        'nerdctl/hostname': hostname,
        'nerdctl/domainname': target.config.domainname,
        'nerdctl/extraHosts': '[]',
        'nerdctl/networks': JSON.stringify(networks),
        'nerdctl/dns': JSON.stringify({ DNSServers: null, DNSResolvConfOptions: null, DNSSearchDomains: null }),
      },
      hooks: ctx.hook ? nerdnetHooks(ctx.hook) : {},
      netns: { mode: 'path', path },
      hostname,
      domainname: target.config.domainname,
      env: [`HOSTNAME=${hostname}`],
      sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0' },
      networks,
    };
  }

  // Nothing of its own to release: the files and the netns are the target's.
  async release(): Promise<void> {}

  // Called before every start: the target may have restarted with another PID.
  async netnsAtStart(c: ContainerRecord, ctx: NetworkProviderContext): Promise<string> {
    // The annotation holds the target's full ID (resolved at create), not the name typed.
    const [recorded] = JSON.parse(c.annotations['nerdctl/networks'] ?? '[]') as string[];
    return (await targetNetns(new ContainerRecords(ctx.layout, ctx.ns), recorded?.slice(PREFIX.length) ?? '', ctx.runtimes)).path;
  }

  async networkSettings(c: ContainerRecord): Promise<NetworkSettings> {
    return { Ports: {}, IPAddress: '', MacAddress: '', Networks: {}, NetworkMode: c.annotations['nerdctl/networks'] ?? '' };
  }

  async ports(): Promise<PortMapping[]> {
    return [];
  }
}
