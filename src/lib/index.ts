// nerdnet's public library API, the package root: the composition root, its services and
// handles, their request and result types, and the errors. Lower layers have subpaths of their
// own: `nerdnet/cni` (libcni + go-cni), `nerdnet/network`, `nerdnet/container-files`, `nerdnet/ip`.
export { createNerdnet, type Nerdnet } from './nerdnet.js';
export type { NerdnetOptions, Settings } from './api/settings.js';
export type { CreateNetworkRequest, Network, NetworkDriverOptions, Networks, SubnetRequest } from './api/networks.js';
export type { Container, ContainerRequest, Containers, ExecOptions, ExecResult, PublishPort } from './api/containers.js';
export type { ContainerInspect, ContainerState, EndpointSettings, NetworkSettings, PortBinding } from './container/inspect-types.js';
export type { Images, LoadedImage } from './api/images.js';
export type { Cni, LoadedNetworks, LoadNetworksOptions, SetupOptions } from './api/cni.js';
export { NerdnetError, CniError, type ErrorCode, type CniErrorObject, type Remedy } from './errors.js';

// Types that the signatures above name.
export type { Logger } from './etc/types.js';
export type { Backend } from './runtime/types.js';
export type { CreatedNetwork } from './network/create.js';
export type { DockerNetwork, EndpointInfo } from './network/inspect.js';
export type { IpamConfigEntry } from './network/describe.js';
export type { NetworkSummary } from './network/list.js';
export type { RemoveResult } from './network/remove.js';
export type { ContainerView } from './container/inspect.js';
export type { ContainerListFilter } from './container/list-filter.js';
export type { BindMount, ContainerRecord, ContainerStatus, NetworkRequest, ObservedState, RootfsRecord, StandIn } from './container/types.js';
export type { RuntimeRecord } from './runtime/types.js';
export type { PortMapping, Protocol } from './ports/types.js';
export type { ArchiveInput } from './image/load.js';
export type { ImageConfig } from './image/config.js';
export type { ImageRecord, LayerBlob } from './image/refs.js';
export type { PullEvent, PullOptions, PulledImage, LayerStatus } from './registry/pull.js';
export type { PushEvent, PushOptions, PushedImage } from './registry/push.js';
export type { RegistryClientOptions } from './registry/client.js';
export type { RetryPolicy } from './registry/retry.js';
export type { Credential } from './registry/auth.js';
export type { CniConfig, AttachResult, InterfaceConfig, IPConfig, NetworkAttachment, NetworkConfigList, PluginConf, JsonObject, Result100 } from './cni/index.js';
