// Pull an image from a registry into nerdnet's image store: resolve the reference to a manifest
// (the platform's, from an index), download config and missing layers into the store's tmp dir
// (a bounded number at once, each checked against its digest), then install them as `image load`
// does. Nothing reaches blobs/, layers/ or refs/ before every blob is complete and verified.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack } from 'tar-stream';
import { NerdnetError, wrapError } from '../errors.js';
import { parseImageConfig } from '../image/config.js';
import { digestHex } from '../image/digest.js';
import { exists } from '../image/fsutil.js';
import { installImages, type LayerInput } from '../image/load.js';
import { familiarString, formatReference, parseReference, type ImageReference } from '../image/reference.js';
import { CONFIG_TYPES, INDEX_TYPES, LAYER_TYPES, MANIFEST_TYPES, MEDIA, firstIssue, indexSchema, manifestSchema, type Descriptor, type Manifest } from '../image/schema.js';
import type { ImageStore } from '../image/store.js';
import { RegistryClient, type FetchedManifest, type RegistryClientOptions } from './client.js';
import { formatPlatform, hostPlatform, parsePlatform, platformMatches, selectManifest, type Platform } from './platform.js';

export type LayerStatus = 'waiting' | 'exists' | 'downloading' | 'verifying' | 'done';

export type PullEvent =
  | { type: 'resolved'; reference: string; digest: string; platform: string }
  | { type: 'layer'; digest: string; status: LayerStatus; current: number; total: number }
  | { type: 'unpacking' }
  | { type: 'done'; reference: string; id: string; digest: string };

export interface PullOptions extends RegistryClientOptions {
  // OS/ARCH[/VARIANT]; default the host's (linux/<arch>).
  platform?: string;
  onProgress?: (event: PullEvent) => void;
  // Layers downloaded at once (containerd's default is 3).
  concurrency?: number;
}

export interface PulledImage {
  // Familiar name as Docker prints it (`busybox:latest`, `localhost:5000/app:v1`).
  name: string;
  id: string;
  // Digest of what the reference named: the index, or the manifest.
  digest: string;
  platform: string;
}

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Parameters<typeof firstIssue>[0] } }, bytes: Buffer, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new NerdnetError('ERR_REGISTRY', `${what} is not JSON (${(err as Error).message})`);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new NerdnetError('ERR_REGISTRY', `${what} is invalid: ${firstIssue(r.error)}`);
  return r.data;
}

function checkType(d: Descriptor, allowed: readonly string[], what: string): void {
  if (!allowed.includes(d.mediaType)) {
    throw new NerdnetError('ERR_REGISTRY', `${what} ${d.digest} has media type ${JSON.stringify(d.mediaType)}, which nerdnet cannot use (it takes: ${allowed.join(', ')})`);
  }
}

// Run `fn` over `items`, at most `limit` at once; the first failure is thrown once all have settled.
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.err;
}

// The manifest `ref` names for `platform`, and what the reference itself resolved to.
async function resolveManifest(client: RegistryClient, ref: ImageReference, platform: Platform) {
  const where = formatReference(ref);
  const top = await client.manifest(ref.path, ref.digest ?? (ref.tag as string));
  let chosen: FetchedManifest = top;
  if (INDEX_TYPES.includes(top.mediaType)) {
    const index = parsed(indexSchema, top.bytes, `image index of ${where}`);
    const d = selectManifest(index.manifests, platform, where);
    chosen = await client.manifest(ref.path, d.digest);
  } else if (!MANIFEST_TYPES.includes(top.mediaType)) {
    throw new NerdnetError('ERR_REGISTRY', `${where} has media type ${JSON.stringify(top.mediaType)}: not an image manifest or index nerdnet can use (Docker schema 1 is not supported)`);
  }
  const manifest: Manifest = parsed(manifestSchema, chosen.bytes, `manifest ${chosen.digest} of ${where}`);
  checkType(manifest.config, CONFIG_TYPES, `config of ${where}`);
  manifest.layers.forEach((l, i) => checkType(l, LAYER_TYPES, `layer ${i + 1} of ${where}`));
  return { top, chosen, manifest };
}

interface Fetched {
  reference: string;
  top: FetchedManifest;
  chosen: FetchedManifest;
  manifest: Manifest;
  configBytes: Buffer;
  config: ReturnType<typeof parseImageConfig>['config'];
  layers: (LayerInput & { desc: Descriptor })[];
  // The layers downloaded into `work` (the rest are already where the image goes).
  downloaded: Set<string>;
}

// Resolve, then download the config and every layer `have` says is missing into `work`, each blob
// checked against its digest: the part of a pull both backends share.
async function fetchImage(ref: ImageReference, opts: PullOptions, work: string, have: (diffID: string) => Promise<boolean>): Promise<Fetched> {
  const emit = opts.onProgress ?? (() => {});
  const platform = opts.platform !== undefined ? parsePlatform(opts.platform) : hostPlatform();
  const client = new RegistryClient(ref.domain, opts);
  const reference = formatReference(ref);
  const { top, chosen, manifest } = await resolveManifest(client, ref, platform);
  emit({ type: 'resolved', reference, digest: top.digest, platform: formatPlatform(platform) });
  const configFile = join(work, 'config');
  await client.downloadBlob(ref.path, manifest.config.digest, manifest.config.size, configFile);
  const configBytes = await readFile(configFile);
  const { config } = parseImageConfig(configBytes, `config ${manifest.config.digest} of ${reference}`);
  // A single-platform image that is not the one asked for is refused, as containerd does.
  if (chosen === top && config.architecture !== '' && !platformMatches(platform, { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) })) {
    throw new NerdnetError('ERR_NOT_FOUND', `platform not found: ${reference} is a ${config.os}/${config.architecture} image, not ${formatPlatform(platform)}; choose one with --platform`);
  }
  if (config.diffIDs.length !== manifest.layers.length) {
    throw new NerdnetError('ERR_REGISTRY', `${reference}: the manifest has ${manifest.layers.length} layers but the config lists ${config.diffIDs.length} diff_ids`);
  }
  const layers: Fetched['layers'] = manifest.layers.map((desc, i) => ({ desc, diffID: config.diffIDs[i] as string, label: `layer ${desc.digest} of ${reference}` }));
  const missing: typeof layers = [];
  for (const l of layers) {
    const present = await have(l.diffID);
    emit({ type: 'layer', digest: l.desc.digest, status: present ? 'exists' : 'waiting', current: 0, total: l.desc.size });
    if (!present && !missing.some((m) => m.desc.digest === l.desc.digest)) missing.push(l);
  }
  await eachLimited(missing, opts.concurrency ?? 3, async (l) => {
    const file = join(work, digestHex(l.desc.digest));
    await client.downloadBlob(ref.path, l.desc.digest, l.desc.size, file, (p) => emit({ type: 'layer', digest: l.desc.digest, status: 'downloading', ...p }));
    emit({ type: 'layer', digest: l.desc.digest, status: 'verifying', current: l.desc.size, total: l.desc.size });
  });
  const downloaded = new Set(missing.map((m) => m.desc.digest));
  for (const l of layers) {
    if (!downloaded.has(l.desc.digest)) continue;
    const path = join(work, digestHex(l.desc.digest));
    l.open = () => createReadStream(path);
    l.blob = { digest: l.desc.digest, size: l.desc.size, mediaType: l.desc.mediaType, path };
  }
  return { reference, top, chosen, manifest, configBytes, config, layers, downloaded };
}

function finish(f: Fetched, emit: (e: PullEvent) => void): void {
  for (const l of f.layers) if (f.downloaded.has(l.desc.digest)) emit({ type: 'layer', digest: l.desc.digest, status: 'done', current: l.desc.size, total: l.desc.size });
  emit({ type: 'done', reference: f.reference, id: f.manifest.config.digest, digest: f.top.digest });
}

function pulled(f: Fetched, ref: ImageReference, opts: PullOptions): PulledImage {
  const platform = opts.platform !== undefined ? parsePlatform(opts.platform) : hostPlatform();
  return { name: familiarString(ref), id: f.manifest.config.digest, digest: f.top.digest, platform: formatPlatform(platform) };
}

// One pull: fetch into a fresh work dir (`makeTmp`), `install` from it; the work dir goes, whatever happens.
async function pullWith(input: string, opts: PullOptions, makeTmp: () => Promise<string>, have: (diffID: string) => Promise<boolean>, install: (f: Fetched, work: string) => Promise<void>): Promise<PulledImage> {
  const ref = parseReference(input);
  const emit = opts.onProgress ?? (() => {});
  let tmp: string | undefined;
  try {
    const work = (tmp = await makeTmp());
    const f = await fetchImage(ref, opts, work, have);
    emit({ type: 'unpacking' });
    await install(f, work);
    finish(f, emit);
    return pulled(f, ref, opts);
  } catch (err) {
    throw wrapError(`cannot pull ${familiarString(ref)}`, err);
  } finally {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }
}

export async function pullImage(store: ImageStore, input: string, opts: PullOptions = {}): Promise<PulledImage> {
  return pullWith(
    input,
    opts,
    () => store.makeTmp(),
    (diffID) => exists(store.paths.layerMeta(diffID)),
    async (f, work) => {
      await installImages(store, work, [
        {
          format: f.chosen.mediaType === MEDIA.dockerManifest ? 'docker-archive' : 'oci-archive',
          names: [f.reference],
          manifest: { digest: f.top.digest, bytes: f.top.bytes },
          config: { digest: f.manifest.config.digest, bytes: f.configBytes, parsed: f.config },
          layers: f.layers,
          layerBlobs: f.manifest.layers.map((d) => ({ digest: d.digest, size: d.size, mediaType: d.mediaType })),
          extraBlobs: f.chosen === f.top ? [] : [{ digest: f.chosen.digest, bytes: f.chosen.bytes }],
        },
      ]);
    },
  );
}

// The containerd backend: the verified blobs become an OCI layout tar that containerd's import
// (content store, image service, unpack into the snapshotter) takes as from `nerdnet load`.
export async function pullIntoContainerd(importArchive: (path: string) => Promise<unknown>, input: string, opts: PullOptions & { tmpDir?: string } = {}): Promise<PulledImage> {
  return pullWith(
    input,
    opts,
    () => mkdtemp(join(opts.tmpDir ?? tmpdir(), 'nerdnet-pull-')),
    async () => false,
    async (f, work) => {
      const archive = join(work, 'image.tar');
      await writeOciLayout(f, archive);
      await importArchive(archive);
    },
  );
}

async function writeOciLayout(f: Fetched, path: string): Promise<void> {
  const pack = tarPack();
  const done = pipeline(pack, createWriteStream(path, { mode: 0o600 }));
  const bytes = (name: string, data: Buffer) => new Promise<void>((res, rej) => pack.entry({ name, size: data.length, mode: 0o644 }, data, (err) => (err ? rej(err) : res())));
  const tag = f.reference.includes('@') ? undefined : f.reference.slice(f.reference.lastIndexOf(':') + 1);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: [{ mediaType: f.chosen.mediaType, digest: f.chosen.digest, size: f.chosen.bytes.length, annotations: { 'io.containerd.image.name': f.reference, ...(tag ? { 'org.opencontainers.image.ref.name': tag } : {}) } }],
  };
  await bytes('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  await bytes('index.json', Buffer.from(JSON.stringify(index)));
  await bytes(`blobs/sha256/${digestHex(f.chosen.digest)}`, f.chosen.bytes);
  await bytes(`blobs/sha256/${digestHex(f.manifest.config.digest)}`, f.configBytes);
  const written = new Set<string>();
  for (const l of f.layers) {
    if (!l.blob || written.has(l.blob.digest)) continue;
    written.add(l.blob.digest);
    const blob = l.blob;
    await new Promise<void>((res, rej) => {
      const entry = pack.entry({ name: `blobs/sha256/${digestHex(blob.digest)}`, size: blob.size, mode: 0o644 }, (err) => (err ? rej(err) : res()));
      createReadStream(blob.path).on('error', rej).pipe(entry);
    });
  }
  pack.finalize();
  await done;
}
