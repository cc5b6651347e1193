// nerdnet's public library API. The CLI and the OCI hook are built on exactly this surface.
export { NerdnetError, CniError, type ErrorCode, type CniErrorObject } from './errors.js';

// CNI runtime (libcni + go-cni)
export { CniConfig, type CniConfigOptions, type GCArgs, type OpOptions } from './cni/api.js';
export {
  assignInterfaces,
  buildAttachResult,
  checkNetworks,
  removeNetworks,
  setupNetworks,
  LOOPBACK_CONFLIST,
  type AttachArgs,
  type AttachResult,
  type InterfaceConfig,
  type IPConfig,
  type NetworkAttachment,
} from './cni/attach.js';
export { ResultCache, DEFAULT_CACHE_DIR, type CachedAttachment, type RuntimeConf } from './cni/cache.js';
export { confFromBytes, confListFromBytes, confListFromConf, injectConf, type NetworkConfigList, type PluginConf } from './cni/conf.js';
export { confFiles, loadConfDir, loadConfList, loadConfigFile, networkConfFromFile } from './cni/conf-files.js';
export { discoverCniDirs, parseContainerdCniSection, DEFAULT_CONF_DIR, DEFAULT_PLUGIN_DIRS, type CniDirs } from './cni/discovery.js';
export { RawExec, pluginEnv, type CniCommand, type PluginExec, type ExecOptions } from './cni/exec.js';
export { findInPath } from './cni/find.js';
export { convertResult, parseResult, parsePluginOutput, resultToJSON, type Result, type Result020, type Result040, type Result100 } from './cni/result.js';
export { ALL_VERSIONS, CURRENT_VERSION, compareVersions, parseVersion, selectConfigVersion } from './cni/version.js';
export { validateContainerID, validateInterfaceName, validateNetworkName } from './cni/validate.js';

// Addresses
export * as ip from './ip/index.js';

// Stores
export { FileLock, withLock, type LockOptions } from './store/flock.js';
export { writeFileAtomic } from './store/atomic.js';

// Networks, container files, ports, images, containers, hosts: namespaced to keep names apart.
export * as network from './network/index.js';
export * as etc from './etc/index.js';
export * as ports from './ports/index.js';
export * as image from './image/index.js';
export * as container from './container/index.js';
export * as host from './host/index.js';
export * as oci from './oci/index.js';
export * as gc from './gc/index.js';
export * as runtime from './runtime/index.js';
export { openDataStore, DataStoreLayout, addressHash } from './store/layout.js';
export { runHook } from './hook/run.js';
export { CniProvider } from './container/cni-provider.js';
export { ContainerModeProvider } from './container/container-mode-provider.js';
