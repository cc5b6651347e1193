// The containerd backend's client side: gRPC client, content/images/snapshots/leases/diff services,
// image import and unpack. Import it lazily (`await import(...)`): the OCI hook never needs it.
export { ContainerdClient, DEFAULT_CONTAINERD_ADDRESS, DEFAULT_CONTAINERD_NAMESPACE, type CallOptions, type ContainerdClientOptions } from './client.js';
export { ContainerdError, isAlreadyExists, isNotFound, unreachableError } from './errors.js';
export { loadContainerdProtos, DEFAULT_GOCODE_ROOT, type ServiceName } from './proto.js';
export { LABELS, toTimestamp, fromTimestamp, type Descriptor, type Mount, type Timestamp } from './types.js';
export { contentInfo, readContent, setContentLabels, writeContent, type BlobToWrite, type ContentInfo } from './content.js';
export { deleteImage, getImage, listImages, putImage, type ImageRecord as ContainerdImage } from './images.js';
export { DEFAULT_SNAPSHOTTER, commitSnapshot, listSnapshots, prepareSnapshot, removeSnapshot, snapshotMounts, snapshotUsage, statSnapshot, type SnapshotInfo, type SnapshotOptions } from './snapshots.js';
export { createLease, deleteLease, listLeases, withLease } from './leases.js';
export { applyLayer } from './diff.js';
export { listNamespaces, type Namespace } from './namespaces.js';
export { chainIDs, unpackImage, unpackLayers, type LayerToUnpack } from './unpack.js';
export { readImageContent, type ImageContent } from './image-content.js';
export { importImageArchive, type ImportOptions, type ImportedImage } from './image-import.js';
export { findImage, namesOfImage, resolveImage, type FoundImage, type ResolvedImage } from './image-resolve.js';
export { listImageRecords, removeImages as removeContainerdImages, type ContainerdRemoveResult } from './image-list.js';
