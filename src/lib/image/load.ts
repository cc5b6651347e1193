// `image load`: stage the archive, plan its images, unpack missing layers into temp dirs (no lock
// held), then under the store lock rename layers into place, write blobs and names. A bad archive
// fails before the lock and leaves the store exactly as it was.
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { NerdnetError, wrapError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';
import type { StagedArchive } from './archive-read.js';
import { archiveError, stageArchive } from './archive-read.js';
import { planImages, type PlannedImage, type PlannedLayer } from './archive-plan.js';
import { digestHex } from './digest.js';
import { exists } from './fsutil.js';
import { digestLayer, unpackLayer } from './layer-unpack.js';
import { familiarString, parseReference } from './reference.js';
import { readRefs, setRef, writeRefs, type ImageRecord } from './refs.js';
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

// Unpack into `<tmp>/layer-<hex>` (the dir renamed into layers/ later); checks the diffID.
async function unpackToTemp(staged: StagedArchive, layer: PlannedLayer, tmp: string): Promise<{ dir: string; size: number }> {
  const dir = join(tmp, `layer-${digestHex(layer.diffID)}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'fs'), { recursive: true, mode: 0o755 });
  const got = await unpackLayer(staged.open(layer.file), join(dir, 'fs'), `layer ${layer.file.name}`);
  checkDiffID(layer, got.diffID);
  await writeFileAtomic(join(dir, 'layer.json'), `${JSON.stringify({ diffID: layer.diffID, size: got.size, tarBytes: got.tarBytes })}\n`, { mode: 0o644 });
  return { dir, size: got.size };
}

function checkDiffID(layer: PlannedLayer, got: string): void {
  if (got !== layer.diffID) {
    throw archiveError(`layer ${layer.file.name}: uncompressed content has digest ${got} but the image config says ${layer.diffID} (corrupt or tampered archive)`);
  }
}

function recordsFor(plan: PlannedImage, size: number, now: string): ImageRecord[] {
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

export async function loadImageArchive(store: ImageStore, input: ArchiveInput): Promise<LoadedImage[]> {
  const { stream, name } = await openInput(input);
  let tmp: string | undefined;
  try {
    const work = (tmp = await store.makeTmp());
    const staged = await stageArchive(name, stream, await mkdirp(join(work, 'staged')));
    const plans = await planImages(staged);
    const layers = new Map<string, PlannedLayer>();
    for (const p of plans) for (const l of p.layers) if (!layers.has(l.diffID)) layers.set(l.diffID, l);
    const sizes = new Map<string, number>();
    const unpacked = new Map<string, string>();
    for (const layer of layers.values()) {
      const known = await layerSize(store, layer.diffID);
      if (known !== undefined) {
        // Already in the store: still verify this archive's copy, so a bad archive never loads.
        checkDiffID(layer, (await digestLayer(staged.open(layer.file), `layer ${layer.file.name}`)).diffID);
        sizes.set(layer.diffID, known);
        continue;
      }
      const { dir, size } = await unpackToTemp(staged, layer, work);
      unpacked.set(layer.diffID, dir);
      sizes.set(layer.diffID, size);
    }
    return await store.locked(async () => {
      for (const layer of layers.values()) {
        if (await exists(store.paths.layerDir(layer.diffID))) continue;
        // Removed by a concurrent GC since we looked: unpack it again, now under the lock.
        const dir = unpacked.get(layer.diffID) ?? (await unpackToTemp(staged, layer, work)).dir;
        await rename(dir, store.paths.layerDir(layer.diffID));
      }
      for (const p of plans) {
        await writeBlob(store, p.config.digest, p.config.bytes);
        if (p.manifest) await writeBlob(store, p.manifest.digest, p.manifest.bytes);
      }
      const images = await readRefs(store.paths, store.namespace);
      const now = new Date().toISOString();
      const out: LoadedImage[] = [];
      for (const p of plans) {
        const size = p.layers.reduce((n, l) => n + (sizes.get(l.diffID) ?? 0), 0);
        const records = recordsFor(p, size, now);
        for (const r of records) setRef(images, r);
        out.push({ id: p.config.digest, names: p.names.map((n) => familiarString(parseReference(n))), records });
      }
      await writeRefs(store.paths, store.namespace, images);
      return out;
    });
  } catch (err) {
    stream.destroy();
    throw wrapError(`cannot load image archive ${name}`, err);
  } finally {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }
}

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

async function writeBlob(store: ImageStore, digest: string, bytes: Buffer): Promise<void> {
  const path = store.paths.blob(digest);
  if (!(await exists(path))) await writeFileAtomic(path, bytes, { mode: 0o644, dirMode: 0o700 });
}
