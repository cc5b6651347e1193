// Create-time container files (design.md §1 steps 2-4): resolv.conf, the hosts
// file and hostname. Every value is validated and every content planned before the first write.
import { mkdir, rm } from 'node:fs/promises';
import { parseAddHosts } from './add-host.js';
import type { ExtraHost, ParseAddHostsOptions } from './add-host.js';
import { planHostname } from './hostname.js';
import type { HostsStore } from './hosts-store.js';
import { writeInPlace } from './in-place.js';
import { planResolvConf } from './resolv-conf-mode.js';
import type { DnsSettings, FilesMode, Logger } from './types.js';
import { noLogger } from './types.js';
import { validateDnsSettings } from './validate.js';
import type { DataStoreLayout } from '../store/layout.js';

export interface PrepareFilesInput extends ParseAddHostsOptions {
  layout: DataStoreLayout;
  hostsStore: HostsStore;
  ns: string;
  id: string;
  mode: FilesMode;
  hostname?: string | undefined;
  domainname?: string | undefined;
  utsHost?: boolean | undefined;
  dns?: Partial<DnsSettings> | undefined;
  addHosts?: readonly string[] | undefined;
  // Host inputs, read by the caller (readHostResolvConf, os.hostname(), /etc/hosts) so tests need no /etc.
  hostResolvConf: string;
  hostHostname?: string | undefined;
  // host/ns modes start from the host's /etc/hosts content.
  hostEtcHosts?: string | undefined;
  // Rootless CNI: RootlessKit's DNS address, prepended.
  slirpDns?: string | undefined;
  logger?: Logger;
}

export interface PreparedFiles {
  resolvConfPath: string;
  hostsPath: string;
  // Undefined with --uts=host (no /etc/hostname mount).
  hostnamePath: string | undefined;
  hostname: string;
  domainname: string;
  extraHosts: ExtraHost[];
  // The requested DNS values (label nerdctl/dns), validated and deduplicated.
  dns: DnsSettings;
}

// Validate and plan, then write; on a write failure the files made here are removed again.
export async function prepareContainerFiles(input: PrepareFilesInput): Promise<PreparedFiles> {
  const { layout, ns, id } = input;
  const dns = validateDnsSettings(input.dns);
  const host = planHostname(input);
  const extraHosts = parseAddHosts(input.addHosts ?? [], input);
  const resolv = planResolvConf({ mode: input.mode, hostContent: input.hostResolvConf, dns, ...(input.slirpDns ? { slirpDns: input.slirpDns } : {}) });
  const stateDir = layout.stateDir(ns, id);
  const resolvConfPath = layout.resolvConfPath(ns, id);
  const hostnamePath = host.file === undefined ? undefined : layout.hostnamePath(ns, id);
  const hostsContent = input.mode === 'host' || input.mode === 'ns' ? (input.hostEtcHosts ?? '') : '';
  if (resolv.usedFallback) {
    (input.logger ?? noLogger)('info', 'No non-localhost DNS nameservers are left in resolv.conf. Using default external servers');
  }

  const createdDir = await mkdir(stateDir, { recursive: true, mode: 0o700 });
  try {
    await writeInPlace(resolvConfPath, resolv.content);
    if (hostnamePath !== undefined && host.file !== undefined) await writeInPlace(hostnamePath, host.file);
    const hostsPath = await input.hostsStore.allocHostsFile(ns, id, hostsContent);
    return { resolvConfPath, hostsPath, hostnamePath, hostname: host.hostname, domainname: host.domainname, extraHosts, dns };
  } catch (err) {
    if (createdDir !== undefined) await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
}
