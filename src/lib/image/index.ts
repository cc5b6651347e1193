// Images: archives in (docker-archive, OCI layout), a content-addressed store, overlay rootfs out.
export { ImageStore, type ImageStoreOptions } from './store.js';
export { loadImageArchive, type ArchiveInput, type LoadedImage } from './load.js';
export { removeImages, type ImageInUseQuery, type RemoveOptions, type RemoveResult } from './remove.js';
export { collectGarbage, type GcResult } from './gc.js';
export { prepareRootfs, prepareDirRootfs, removeRootfs, unmountRootfs, type PreparedRootfs } from './rootfs.js';
export { parseImageConfig, type ImageConfig } from './config.js';
export type { ImageRecord } from './refs.js';
export { imageRows, humanSize, humanDuration, type ImageRow } from './listing.js';
export { parseReference, normalizeReference, formatReference, familiarName, familiarString, type ImageReference } from './reference.js';
export { ImageStorePaths, imageStoreRoot, rootfsPaths } from './paths.js';
export { readMountInfo, mountsUnder, type MountEntry } from './mounts.js';
