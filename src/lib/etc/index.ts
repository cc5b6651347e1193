// `nerdnet/container-files`: container files: resolv.conf, hosts, hostname, the hosts store and the name store (issue #4).
export type { DnsSettings, FilesMode, Logger } from './types.js';
export {
  validateDnsOption,
  validateDnsSearch,
  validateDnsServer,
  validateDnsSettings,
  validateDomainname,
  validateHostname,
} from './validate.js';
export {
  buildResolvConf,
  DEFAULT_IPV4_DNS,
  DEFAULT_IPV6_DNS,
  filterResolvConf,
  getNameservers,
  getOptions,
  getSearchDomains,
} from './resolv-conf.js';
export type { FilteredResolvConf, NameserverKind } from './resolv-conf.js';
export { HOST_RESOLV_CONF, planResolvConf, readHostResolvConf, SLIRP4NETNS_DNS, SYSTEMD_RESOLV_CONF } from './resolv-conf-mode.js';
export type { HostResolvConf, PlanResolvConfInput, ResolvConfPlan } from './resolv-conf-mode.js';
export { defaultHostname, planHostname } from './hostname.js';
export type { HostnameInput, HostnamePlan } from './hostname.js';
export { detectHostGatewayIP, extraHostsLabel, extraHostsMap, HOST_GATEWAY, parseAddHost, parseAddHosts } from './add-host.js';
export type { ExtraHost, ParseAddHostsOptions } from './add-host.js';
export {
  assembleHostsFile,
  buildHostsBlock,
  hostsLine,
  namesFor,
  renderHostsFile,
} from './hosts-file.js';
export type { AddressEntry } from './hosts-file.js';
export { makeHostsMeta, parseHostsMeta, serializeHostsMeta } from './hosts-meta.js';
export type { ContainerHostsInfo, HostsMeta } from './hosts-meta.js';
export { HostsStore } from './hosts-store.js';
export type { AcquireInput, HostsStoreOptions, RegenerationReport } from './hosts-store.js';
export { NameStore } from './name-store.js';
export type { NameStoreOptions } from './name-store.js';
export { prepareContainerFiles } from './prepare.js';
export type { PrepareFilesInput, PreparedFiles } from './prepare.js';
export { DataStoreLayout, openDataStore } from '../store/layout.js';
export type { JsonObject } from '../cni/conf.js';
