// A container's resolv.conf per network mode and the host file it starts from.
import { readFile } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import { buildResolvConf, filterResolvConf, getNameservers, getOptions, getSearchDomains, SYSTEMD_STUB } from './resolv-conf.js';
import type { NameserverKind } from './resolv-conf.js';
import type { DnsSettings, FilesMode } from './types.js';

export const HOST_RESOLV_CONF = '/etc/resolv.conf';
export const SYSTEMD_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';
// slirp4netns' built-in DNS forwarder, what RootlessKit reports as networkDriver.dns.
export const SLIRP4NETNS_DNS = '10.0.2.3';

export interface HostResolvConf {
  // The file the content came from (the systemd-resolved upstream file when /etc has only the stub).
  path: string;
  content: string;
  // False when the file did not exist (treated as empty, issue #1145).
  found: boolean;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NerdnetError('ERR_HOST', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

// Read the host's resolver file, following the systemd-resolved redirect; a missing file reads as empty.
export async function readHostResolvConf(opts: { etcPath?: string; systemdPath?: string } = {}): Promise<HostResolvConf> {
  const etcPath = opts.etcPath ?? HOST_RESOLV_CONF;
  const etc = await readOptional(etcPath);
  if (etc === undefined) return { path: etcPath, content: '', found: false };
  const servers = getNameservers(etc, 'ip');
  if (servers.length !== 1 || servers[0] !== SYSTEMD_STUB) return { path: etcPath, content: etc, found: true };
  const systemdPath = opts.systemdPath ?? SYSTEMD_RESOLV_CONF;
  const upstream = await readOptional(systemdPath);
  return { path: systemdPath, content: upstream ?? '', found: upstream !== undefined };
}

export interface ResolvConfPlan {
  content: string;
  // The fallback public servers were added because the host had none usable (worth an info log).
  usedFallback: boolean;
}

export interface PlanResolvConfInput {
  mode: FilesMode;
  // Content of the host file (readHostResolvConf().content); '' when there is none.
  hostContent: string;
  // Validated user values (validateDnsSettings): each non-empty list overrides only its own line.
  dns: DnsSettings;
  // Rootless CNI only: RootlessKit's DNS (SLIRP4NETNS_DNS), always first, even before --dns.
  slirpDns?: string;
}

// What nerdctl writes into <stateDir>/resolv.conf for a mode; `container:` has no own file.
export function planResolvConf(input: PlanResolvConfInput): ResolvConfPlan {
  const { dns } = input;
  // CNI reads the host file only when something is missing; host IPv6 servers are never copied there.
  const needHost = input.mode !== 'cni' || dns.servers.length === 0 || dns.search.length === 0 || dns.options.length === 0;
  let servers = dns.servers;
  let search = dns.search;
  let options = dns.options;
  let usedFallback = false;
  if (needHost) {
    const allowLocalhost = input.mode === 'host' || input.mode === 'ns';
    const filtered = filterResolvConf(input.hostContent, { allowLocalhost });
    const kind: NameserverKind = input.mode === 'cni' ? 'ipv4' : 'ip';
    if (servers.length === 0) {
      servers = getNameservers(filtered.content, kind);
      usedFallback = filtered.usedFallback;
    }
    if (search.length === 0) search = getSearchDomains(filtered.content);
    if (options.length === 0) options = getOptions(filtered.content);
  }
  const slirp = input.mode === 'cni' && input.slirpDns ? [input.slirpDns] : [];
  return { content: buildResolvConf([...slirp, ...servers], search, options), usedFallback };
}
