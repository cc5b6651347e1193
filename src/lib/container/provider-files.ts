// What every network provider does the same way at create: the container's
// resolv.conf/hosts/hostname from the run flags, their bind mounts, and the nerdctl/* annotations.
import type { DnsSettings, FilesMode } from '../etc/types.js';
import { extraHostsLabel } from '../etc/add-host.js';
import type { HostsStore } from '../etc/hosts-store.js';
import { prepareContainerFiles, type PrepareFilesInput, type PreparedFiles } from '../etc/prepare.js';
import { readHostResolvConf } from '../etc/resolv-conf-mode.js';
import type { Mount } from '../oci/types.js';
import { parseExposedPorts } from '../ports/parse.js';
import type { NetworkProviderContext } from './network-provider.js';
import type { NetworkRequest } from './types.js';

export function bindMount(source: string, destination: string): Mount {
  return { destination, type: 'bind', source, options: ['bind', 'rprivate'] };
}

// nerdctl/dns: the requested values, null for an empty list.
export function dnsAnnotation(dns: DnsSettings): string {
  const orNull = (v: string[]) => (v.length > 0 ? v : null);
  return JSON.stringify({ DNSServers: orNull(dns.servers), DNSResolvConfOptions: orNull(dns.options), DNSSearchDomains: orNull(dns.search) });
}

// nerdctl: each of --dns, --dns-search, --dns-opt not given falls back to nerdctl.toml's list.
function withDnsDefaults(net: NetworkRequest, defaults: DnsSettings | undefined): DnsSettings {
  const pick = (given: string[], fallback: string[] | undefined) => (given.length > 0 ? given : (fallback ?? []));
  return { servers: pick(net.dns, defaults?.servers), search: pick(net.dnsSearch, defaults?.search), options: pick(net.dnsOpt, defaults?.options) };
}

export interface ProviderFilesOptions {
  mode: FilesMode;
  hostsStore: HostsStore;
  // The host's resolv.conf path (default: the system's, following systemd-resolved).
  resolvConf?: string | undefined;
  hostGatewayIP?: string | undefined;
  // Mode-specific inputs (host hostname, host /etc/hosts, default hostname).
  extra?: Partial<PrepareFilesInput>;
}

export async function prepareProviderFiles(net: NetworkRequest, ctx: NetworkProviderContext, o: ProviderFilesOptions): Promise<PreparedFiles> {
  return prepareContainerFiles({
    layout: ctx.layout,
    hostsStore: o.hostsStore,
    ns: ctx.ns,
    id: ctx.id,
    mode: o.mode,
    hostname: net.hostname,
    domainname: net.domainname,
    utsHost: net.utsHost,
    dns: withDnsDefaults(net, ctx.dnsDefaults),
    addHosts: net.addHost,
    hostResolvConf: (await readHostResolvConf(o.resolvConf ? { etcPath: o.resolvConf } : {})).content,
    hostGatewayIP: o.hostGatewayIP,
    logger: ctx.logger,
    ...o.extra,
  });
}

// The three file mounts (no /etc/hostname with --uts=host).
export function fileMounts(files: PreparedFiles): Mount[] {
  const mounts = [bindMount(files.resolvConfPath, '/etc/resolv.conf'), bindMount(files.hostsPath, '/etc/hosts')];
  if (files.hostnamePath) mounts.push(bindMount(files.hostnamePath, '/etc/hostname'));
  return mounts;
}

// The networking nerdctl/* annotations; `networks` as recorded for the hook.
export function networkAnnotations(files: PreparedFiles, net: NetworkRequest, networks: readonly string[]): Record<string, string> {
  const a: Record<string, string> = {
    'nerdctl/hostname': files.hostname,
    'nerdctl/domainname': files.domainname,
    'nerdctl/extraHosts': extraHostsLabel(files.extraHosts),
    'nerdctl/networks': JSON.stringify(networks),
    'nerdctl/dns': dnsAnnotation(files.dns),
  };
  const exposed = parseExposedPorts(net.expose ?? []);
  if (exposed.length > 0) a['nerdctl/exposed-ports'] = JSON.stringify(Object.fromEntries(exposed.map((k) => [k, {}])));
  if (net.ip) a['nerdctl/ip'] = net.ip;
  if (net.ip6) a['nerdctl/ip6'] = net.ip6;
  return a;
}
