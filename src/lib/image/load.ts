// `image load`: stage the archive, plan its images, unpack missing layers into temp dirs (no lock
// held), then under the store lock rename layers into place, write blobs and names. A bad archive
// fails before the lock and leaves the store exactly as it was.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { NerdnetError, wrapError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';
import type { StagedArchive, StagedFile } from './archive-read.js';
import { archiveError, stageArchive } from './archive-read.js';
import { planImages, type PlannedImage } from './archive-plan.js';
import { digestHex } from './digest.js';
import { exists } from './fsutil.js';
import { digestLayer, unpackLayer } from './layer-unpack.js';
import { familiarString, parseReference } from './reference.js';
import { readRefs, setRef, writeRefs, type ImageRecord, type LayerBlob } from './refs.js';
import type { ImageStore } from './store.js';

export interface LoadedImage {
  id: string;
  // Familiar names (`busybox:latest`), as `docker load` prints them; empty for an unnamed image.
  names: string[];
  records: ImageRecord[];
}

export type ArchiveInput = string | { stream: Readable; name: string };

async function layerSize(store: ImageStore, diffID: string): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(store.paths.layerMeta(diffID), 'utf8')) as { size: number }).size;
  } catch {
    return undefined;
  }
}

// One layer to install: `open` gives its (maybe gzip) tar; without it the layer must be in the store.
export interface LayerInput {
  diffID: string;
  label: string;
  open?: () => Readable;
  // The layer's blob as received, moved into blobs/ (kept for push) when the image is installed.
  blob?: LayerBlob & { path: string };
}

// One image to install, from an archive (load) or a registry (pull).
export interface ImageInput {
  format: 'docker-archive' | 'oci-archive';
  names: string[];
  manifest: { digest: string; bytes: Buffer } | null;
  config: { digest: string; bytes: Buffer; parsed: PlannedImage['config']['parsed'] };
  layers: LayerInput[];
  // More blobs to keep (a pulled index and its platform manifest).
  extraBlobs?: { digest: string; bytes: Buffer }[];
  // The manifest's layer descriptors; by default those of `layers[].blob` when every layer has one.
  layerBlobs?: LayerBlob[];
}

// Unpack into `<tmp>/layer-<hex>` (the dir renamed into layers/ later); checks the diffID.
async function unpackToTemp(layer: LayerInput, tmp: string): Promise<{ dir: string; size: number }> {
  if (!layer.open) throw new NerdnetError('ERR_NOT_FOUND', `${layer.label} (${layer.diffID}) left the store while the image was being added (removed by a concurrent image rm); try again`);
  const dir = join(tmp, `layer-${digestHex(layer.diffID)}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'fs'), { recursive: true, mode: 0o755 });
  const got = await unpackLayer(layer.open(), join(dir, 'fs'), layer.label);
  checkDiffID(layer, got.diffID);
  await writeFileAtomic(join(dir, 'layer.json'), `${JSON.stringify({ diffID: layer.diffID, size: got.size, tarBytes: got.tarBytes })}\n`, { mode: 0o644 });
  return { dir, size: got.size };
}

function checkDiffID(layer: LayerInput, got: string): void {
  if (got !== layer.diffID) {
    throw archiveError(`${layer.label}: uncompressed content has digest ${got} but the image config says ${layer.diffID} (corrupt or tampered content)`);
  }
}

function recordsFor(plan: ImageInput, size: number, now: string): ImageRecord[] {
  const blobs = plan.layerBlobs ?? (plan.layers.every((l) => l.blob) ? plan.layers.map((l) => ({ digest: (l.blob as LayerBlob).digest, size: (l.blob as LayerBlob).size, mediaType: (l.blob as LayerBlob).mediaType })) : undefined);
  const base = {
    id: plan.config.digest,
    manifestDigest: plan.manifest?.digest ?? null,
    diffIDs: plan.layers.map((l) => l.diffID),
    size,
    created: plan.config.parsed.created,
    os: plan.config.parsed.os,
    architecture: plan.config.parsed.architecture,
    format: plan.format,
    loadedAt: now,
    ...(blobs ? { layerBlobs: blobs } : {}),
  };
  return plan.names.length === 0 ? [{ name: null, ...base }] : plan.names.map((name) => ({ name, ...base }));
}

// Also used by the containerd import (src/lib/containerd/image-import.ts).
export async function openInput(input: ArchiveInput): Promise<{ stream: Readable; name: string }> {
  if (typeof input !== 'string') return input;
  // Open first so a missing file is ERR_NOT_FOUND rather than a stream error later.
  const fh = await open(input, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new NerdnetError('ERR_NOT_FOUND', `image archive ${input} does not exist`);
    throw new NerdnetError('ERR_INVALID_ARG', `cannot open image archive ${input}: ${err.message}`, { cause: err });
  });
  if ((await fh.stat()).isDirectory()) {
    await fh.close();
    throw new NerdnetError('ERR_INVALID_ARG', `image archive ${input} is a directory; give the .tar file that docker/podman/nerdctl save wrote`);
  }
  return { stream: createReadStream('', { fd: fh }), name: input };
}

// An archive's layer file as a blob: the media type says what its first bytes are (gzip or tar).
function layerBlobOf(file: StagedFile, format: ImageInput['format']): LayerBlob & { path: string } {
  const head = Buffer.alloc(2);
  const fd = openSync(file.path, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const mediaType = format === 'docker-archive' ? `application/vnd.docker.image.rootfs.diff.tar${gzip ? '.gzip' : ''}` : `application/vnd.oci.image.layer.v1.tar${gzip ? '+gzip' : ''}`;
  return { digest: file.digest, size: file.size, mediaType, path: file.path };
}

function inputOf(staged: StagedArchive, p: PlannedImage): ImageInput {
  return { ...p, layers: p.layers.map((l) => ({ diffID: l.diffID, label: `layer ${l.file.name}`, open: () => staged.open(l.file), blob: layerBlobOf(l.file, p.format) })) };
}

export async function loadImageArchive(store: ImageStore, input: ArchiveInput): Promise<LoadedImage[]> {
  const { stream, name } = await openInput(input);
  let tmp: string | undefined;
  try {
    const work = (tmp = await store.makeTmp());
    const staged = await stageArchive(name, stream, await mkdirp(join(work, 'staged')));
    const plans = await planImages(staged);
    return await installImages(store, work, plans.map((p) => inputOf(staged, p)));
  } catch (err) {
    stream.destroy();
    throw wrapError(`cannot load image archive ${name}`, err);
  } finally {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }
}

// The store-writing half of load and pull: unpack missing layers into `work` (no lock held), then
// under the store lock rename them into layers/, write the blobs and the names. A layer the store
// already has is still hashed when it can be opened, so bad content never gets a name.
export async function installImages(store: ImageStore, work: string, images: ImageInput[]): Promise<LoadedImage[]> {
  const layers = new Map<string, LayerInput>();
  for (const p of images) for (const l of p.layers) if (!layers.has(l.diffID)) layers.set(l.diffID, l);
  const sizes = new Map<string, number>();
  const unpacked = new Map<string, string>();
  for (const layer of layers.values()) {
    const known = await layerSize(store, layer.diffID);
    if (known !== undefined) {
      if (layer.open) checkDiffID(layer, (await digestLayer(layer.open(), layer.label)).diffID);
      sizes.set(layer.diffID, known);
      continue;
    }
    const { dir, size } = await unpackToTemp(layer, work);
    unpacked.set(layer.diffID, dir);
    sizes.set(layer.diffID, size);
  }
  return store.locked(async () => {
    for (const layer of layers.values()) {
      if (await exists(store.paths.layerDir(layer.diffID))) continue;
      // Removed by a concurrent GC since we looked: unpack it again, now under the lock.
      const dir = unpacked.get(layer.diffID) ?? (await unpackToTemp(layer, work)).dir;
      await rename(dir, store.paths.layerDir(layer.diffID));
    }
    for (const layer of layers.values()) {
      // Moved, not copied: the file is in the store's tmp dir, on the same file system.
      if (layer.blob && !(await exists(store.paths.blob(layer.blob.digest)))) await rename(layer.blob.path, store.paths.blob(layer.blob.digest));
    }
    for (const p of images) {
      await writeBlob(store, p.config.digest, p.config.bytes);
      if (p.manifest) await writeBlob(store, p.manifest.digest, p.manifest.bytes);
      for (const b of p.extraBlobs ?? []) await writeBlob(store, b.digest, b.bytes);
    }
    const refs = await readRefs(store.paths, store.namespace);
    const now = new Date().toISOString();
    const out: LoadedImage[] = [];
    for (const p of images) {
      const size = p.layers.reduce((n, l) => n + (sizes.get(l.diffID) ?? 0), 0);
      const records = recordsFor(p, size, now);
      for (const r of records) setRef(refs, r);
      out.push({ id: p.config.digest, names: p.names.map((n) => familiarString(parseReference(n))), records });
    }
    await writeRefs(store.paths, store.namespace, refs);
    return out;
  });
}

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

async function writeBlob(store: ImageStore, digest: string, bytes: Buffer): Promise<void> {
  const path = store.paths.blob(digest);
  if (!(await exists(path))) await writeFileAtomic(path, bytes, { mode: 0o644, dirMode: 0o700 });
}
