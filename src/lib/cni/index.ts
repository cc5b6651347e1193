// `nerdnet/cni`: the CNI runtime alone (what libcni and go-cni are in Go): conflists, plugin
// discovery and execution, results of every version, the result cache, several networks at once.
export { CniConfig, type CniConfigOptions, type GCArgs, type OpOptions } from './api.js';
export type { Attachment } from './request.js';
export {
  assignInterfaces,
  buildAttachResult,
  checkNetworks,
  teardownNetworks,
  setupNetworks,
  LOOPBACK_CONFLIST,
  type AttachArgs,
  type AttachResult,
  type InterfaceConfig,
  type IPConfig,
  type NetworkAttachment,
} from './attach.js';
export { ResultCache, DEFAULT_CACHE_DIR, type CachedAttachment, type RuntimeConf } from './cache.js';
export { confFromBytes, confListFromBytes, confListFromConf, injectConf, type JsonObject, type NetworkConfigList, type PluginConf } from './conf.js';
export { confFiles, loadConfDir, loadConfList, loadConfigFile, networkConfFromFile } from './conf-files.js';
export { discoverCniDirs, parseContainerdCniSection, DEFAULT_CONF_DIR, DEFAULT_PLUGIN_DIRS, type CniDirs, type ContainerdCniSection, type DiscoverOptions } from './discovery.js';
export { RawExec, pluginEnv, type CniCommand, type PluginEnvArgs, type PluginExec, type ExecOptions, type RawExecOptions } from './exec.js';
export { findInPath } from './find.js';
export { convertResult, parseResult, parsePluginOutput, resultToJSON, type Result, type Result020, type Result040, type Result100 } from './result.js';
export type {
  DNS, IPConfig020, IPConfig040, IPConfig100, Interface040, Interface100, JsonResultObject, JsonValue, ResultFor, Route, Version020, Version040, Version100,
} from './result-types.js';
export { ALL_VERSIONS, CURRENT_VERSION, compareVersions, parseVersion, selectConfigVersion, type ParsedVersion, type PluginVersionInfo, type VersionInfo } from './version.js';
export { validateContainerID, validateInterfaceName, validateNetworkName } from './validate.js';
export { NerdnetError, CniError, type ErrorCode, type CniErrorObject, type Remedy } from '../errors.js';
