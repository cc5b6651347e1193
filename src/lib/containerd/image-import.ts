// `image load` into containerd: the archive is staged and checked by nerdnet's own parser
// (src/lib/image), then its blobs go to containerd's content store with the labels containerd's GC
// follows, the layers are unpacked into the snapshotter, and only then are the image names created.
// Everything happens under one lease, so a failure leaves nothing that outlives the lease.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapError } from '../errors.js';
import { planImages, type PlannedImage } from '../image/archive-plan.js';
import { stageArchive, type StagedFile } from '../image/archive-read.js';
import { sha256Digest } from '../image/digest.js';
import { openInput, type ArchiveInput } from '../image/load.js';
import { familiarString, parseReference } from '../image/reference.js';
import { MEDIA, manifestSchema } from '../image/schema.js';
import type { ContainerdClient } from './client.js';
import { writeContent } from './content.js';
import { putImage } from './images.js';
import { withLease } from './leases.js';
import { DEFAULT_SNAPSHOTTER } from './snapshots.js';
import { LABELS, type Descriptor } from './types.js';
import { unpackImage, type LayerToUnpack } from './unpack.js';

export interface ImportOptions {
  snapshotter?: string;
  // Where the archive is staged (default: the OS temp dir).
  tmpDir?: string;
}

export interface ImportedImage {
  // Image ID: the config digest.
  id: string;
  // containerd image names created (`docker.io/library/busybox:latest`).
  names: string[];
  // Familiar names (`busybox:latest`), as `docker load` prints them; empty for an unnamed image.
  familiarNames: string[];
  manifest: Descriptor;
  // Top snapshot of the unpacked image.
  chainID: string;
}

const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

async function isGzip(file: StagedFile): Promise<boolean> {
  const fh = await open(file.path, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

interface ImagePlan {
  manifest: { descriptor: Descriptor; bytes: Buffer };
  config: Descriptor;
  layers: Array<LayerToUnpack & { file: StagedFile }>;
}

// docker-archive has no manifest: write the Docker schema 2 manifest containerd's importer writes
// (same fields in the same order, so `ctr images import` of the same archive gives the same digest).
async function manifestFor(p: PlannedImage): Promise<ImagePlan> {
  if (p.manifest) {
    const m = manifestSchema.parse(JSON.parse(p.manifest.bytes.toString('utf8')));
    const mediaType = m.mediaType ?? MEDIA.ociManifest;
    return {
      manifest: { descriptor: { mediaType, digest: p.manifest.digest, size: p.manifest.bytes.length }, bytes: p.manifest.bytes },
      config: { mediaType: m.config.mediaType, digest: m.config.digest, size: m.config.size },
      layers: p.layers.map((l, i) => {
        const d = m.layers[i] as Descriptor;
        return { blob: { mediaType: d.mediaType, digest: d.digest, size: d.size }, diffID: l.diffID, file: l.file };
      }),
    };
  }
  const config: Descriptor = { mediaType: MEDIA.dockerConfig, digest: p.config.digest, size: p.config.bytes.length };
  const layers = [];
  for (const l of p.layers) {
    const mediaType = (await isGzip(l.file)) ? `${DOCKER_LAYER}.gzip` : DOCKER_LAYER;
    layers.push({ blob: { mediaType, digest: l.file.digest, size: l.file.size }, diffID: l.diffID, file: l.file });
  }
  const doc = { schemaVersion: 2, mediaType: MEDIA.dockerManifest, config, layers: layers.map((l) => l.blob) };
  const bytes = Buffer.from(JSON.stringify(doc));
  return { manifest: { descriptor: { mediaType: MEDIA.dockerManifest, digest: sha256Digest(bytes), size: bytes.length }, bytes }, config, layers };
}

async function writeImageContent(client: ContainerdClient, p: PlannedImage, plan: ImagePlan, lease: string): Promise<void> {
  for (const l of plan.layers) {
    await writeContent(client, { digest: l.blob.digest, size: l.blob.size, labels: { [LABELS.uncompressed]: l.diffID }, data: () => createReadStream(l.file.path, { highWaterMark: 1 << 20 }) }, { lease });
  }
  await writeContent(client, { digest: plan.config.digest, size: plan.config.size, data: p.config.bytes }, { lease });
  const refs: Record<string, string> = { [LABELS.gcRefContentConfig]: plan.config.digest };
  plan.layers.forEach((l, i) => (refs[LABELS.gcRefContentLayer(i)] = l.blob.digest));
  await writeContent(client, { digest: plan.manifest.descriptor.digest, size: plan.manifest.descriptor.size, labels: refs, data: plan.manifest.bytes }, { lease });
}

// nerdctl names an image without a name `<snapshotter>@<manifest digest>` (archive.DigestTranslator).
function namesOf(p: PlannedImage, plan: ImagePlan, snapshotter: string): string[] {
  return p.names.length > 0 ? p.names : [`${snapshotter}@${plan.manifest.descriptor.digest}`];
}

export async function importImageArchive(client: ContainerdClient, input: ArchiveInput, opts: ImportOptions = {}): Promise<ImportedImage[]> {
  const snapshotter = opts.snapshotter ?? DEFAULT_SNAPSHOTTER;
  // Reach containerd before reading a possibly large archive.
  await client.ping();
  const { stream, name } = await openInput(input);
  let tmp: string | undefined;
  try {
    tmp = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'nerdnet-import-'));
    const staged = await stageArchive(name, stream, tmp);
    const plans = await planImages(staged);
    return await withLease(client, async (lease) => {
      const out: ImportedImage[] = [];
      const ready = [];
      for (const p of plans) {
        const plan = await manifestFor(p);
        await writeImageContent(client, p, plan, lease);
        const chainID = await unpackImage(client, plan.config, plan.layers, { snapshotter, lease });
        ready.push({ p, plan, chainID });
      }
      // Names last: an image that fails to unpack is never listed.
      for (const { p, plan, chainID } of ready) {
        const names = namesOf(p, plan, snapshotter);
        for (const n of names) {
          // As `ctr images import` annotates the target: the full name, and the tag alone.
          const annotations: Record<string, string> = { [LABELS.imageName]: n };
          const tag = p.names.includes(n) ? parseReference(n).tag : undefined;
          if (tag !== undefined) annotations[LABELS.refName] = tag;
          await putImage(client, { name: n, labels: {}, target: { ...plan.manifest.descriptor, annotations } }, { lease });
        }
        out.push({ id: p.config.digest, names, familiarNames: p.names.map((n) => familiarString(parseReference(n))), manifest: plan.manifest.descriptor, chainID });
      }
      return out;
    });
  } catch (err) {
    stream.destroy();
    throw wrapError(`cannot load image archive ${name} into containerd at ${client.address}`, err);
  } finally {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }
}
