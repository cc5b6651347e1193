// Decide what a staged archive holds: OCI image layout (index.json + oci-layout, as nerdctl save,
// podman save --format oci-archive and docker save >= 25 write) or docker-archive (manifest.json).
// Every descriptor is checked against the blob it names: presence, size, media type.
import type { z } from 'zod';
import { archiveError, type StagedArchive, type StagedFile } from './archive-read.js';
import { parseImageConfig, type ImageConfig } from './config.js';
import { normalizeReference } from './reference.js';
import {
  CONFIG_TYPES, INDEX_TYPES, LAYER_TYPES, MANIFEST_TYPES, dockerManifestSchema, firstIssue, indexSchema, manifestSchema, ociLayoutSchema,
  type Descriptor,
} from './schema.js';

export interface PlannedLayer {
  diffID: string;
  file: StagedFile;
}

export interface PlannedImage {
  format: 'docker-archive' | 'oci-archive';
  // Normalised references (`docker.io/library/busybox:latest`); empty for an unnamed image.
  names: string[];
  // docker-archive has no manifest (like Docker's empty RepoDigests for loaded images).
  manifest: { digest: string; bytes: Buffer } | null;
  config: { digest: string; bytes: Buffer; parsed: ImageConfig };
  layers: PlannedLayer[];
}

const IMAGE_NAME = 'io.containerd.image.name';
const REF_NAME = 'org.opencontainers.image.ref.name';

// Node's process.arch in Go's GOARCH spelling, as image platforms use.
export function hostArchitecture(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };
  return map[arch] ?? arch;
}

async function readJSON<T>(staged: StagedArchive, file: StagedFile, schema: z.ZodType<T>, what: string): Promise<T> {
  let json: unknown;
  try {
    json = JSON.parse((await staged.read(file)).toString('utf8'));
  } catch (err) {
    throw archiveError(`${file.name}: ${what} is not JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw archiveError(`${file.name}: invalid ${what}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

function blobFor(staged: StagedArchive, d: Descriptor, what: string): StagedFile {
  const file = staged.blob(d.digest);
  if (!file) throw archiveError(`${what} ${d.digest} is missing: no blobs/sha256/${d.digest.slice(7)} in the archive`);
  if (file.size !== d.size) throw archiveError(`${file.name}: ${what} is ${file.size} bytes but its descriptor says ${d.size}`);
  return file;
}

function mediaTypeCheck(d: Descriptor, allowed: readonly string[], what: string): void {
  if (!allowed.includes(d.mediaType)) {
    throw archiveError(`${what} ${d.digest} has unsupported media type ${JSON.stringify(d.mediaType)} (nerdnet loads: ${allowed.join(', ')})`);
  }
}

function names(values: readonly string[], where: string): string[] {
  return values.map((v) => {
    try {
      return normalizeReference(v);
    } catch (err) {
      throw archiveError(`${where}: ${(err as Error).message}`);
    }
  });
}

async function configOf(staged: StagedArchive, file: StagedFile) {
  const bytes = await staged.read(file);
  const { config } = parseImageConfig(bytes, file.name);
  return { digest: file.digest, bytes, parsed: config };
}

function layersOf(config: ImageConfig, files: StagedFile[], where: string): PlannedLayer[] {
  if (files.length !== config.diffIDs.length) {
    throw archiveError(`${where}: ${files.length} layers but the image config lists ${config.diffIDs.length} diff_ids`);
  }
  return files.map((file, i) => ({ diffID: config.diffIDs[i] as string, file }));
}

// A manifest, or the host platform's manifest of an index (multi-platform images).
async function resolveManifest(staged: StagedArchive, d: Descriptor, depth = 0): Promise<{ d: Descriptor; file: StagedFile }> {
  if (MANIFEST_TYPES.includes(d.mediaType)) return { d, file: blobFor(staged, d, 'manifest') };
  mediaTypeCheck(d, [...MANIFEST_TYPES, ...INDEX_TYPES], 'manifest');
  if (depth > 1) throw archiveError(`image index ${d.digest} nests indexes too deeply`);
  const index = await readJSON(staged, blobFor(staged, d, 'image index'), indexSchema, 'image index');
  const arch = hostArchitecture();
  const fits = index.manifests.filter((m) => (m.platform?.os ?? 'linux') === 'linux' && (m.platform?.architecture ?? arch) === arch && staged.blob(m.digest));
  const pick = fits[0];
  if (!pick) {
    const have = index.manifests.map((m) => `${m.platform?.os ?? '?'}/${m.platform?.architecture ?? '?'}${staged.blob(m.digest) ? '' : ' (not in archive)'}`);
    throw archiveError(`image index ${d.digest} has no linux/${arch} manifest in the archive (it lists: ${have.join(', ') || 'nothing'})`);
  }
  return resolveManifest(staged, pick, depth + 1);
}

async function planOci(staged: StagedArchive, dockerTags: Map<string, string[]>): Promise<PlannedImage[]> {
  await readJSON(staged, staged.get('oci-layout') as StagedFile, ociLayoutSchema, 'oci-layout file');
  const index = await readJSON(staged, staged.get('index.json') as StagedFile, indexSchema, 'OCI image index');
  if (index.manifests.length === 0) throw archiveError('index.json lists no images');
  const byManifest = new Map<string, PlannedImage>();
  for (const top of index.manifests) {
    const { d, file } = await resolveManifest(staged, top);
    const manifest = await readJSON(staged, file, manifestSchema, 'image manifest');
    mediaTypeCheck(manifest.config, CONFIG_TYPES, `config of manifest ${d.digest}`);
    const config = await configOf(staged, blobFor(staged, manifest.config, 'image config'));
    const layerFiles = manifest.layers.map((l, i) => {
      mediaTypeCheck(l, LAYER_TYPES, `layer ${i + 1} of manifest ${d.digest}`);
      return blobFor(staged, l, `layer ${i + 1}`);
    });
    // containerd's name annotation wins; a bare OCI ref.name like "latest" is only a tag, not a name.
    const a = top.annotations ?? {};
    const refName = a[REF_NAME];
    const named = a[IMAGE_NAME] ?? (refName !== undefined && /[:/]/.test(refName) ? refName : undefined);
    const found = named !== undefined ? names([named], `index.json annotation of ${top.digest}`) : names(dockerTags.get(config.digest) ?? [], 'manifest.json RepoTags');
    const prev = byManifest.get(d.digest);
    if (prev) {
      prev.names.push(...found.filter((n) => !prev.names.includes(n)));
      continue;
    }
    const bytes = await staged.read(file);
    byManifest.set(d.digest, { format: 'oci-archive', names: found, manifest: { digest: d.digest, bytes }, config, layers: layersOf(config.parsed, layerFiles, `manifest ${d.digest}`) });
  }
  return [...byManifest.values()];
}

async function dockerEntries(staged: StagedArchive) {
  const file = staged.get('manifest.json');
  return file ? readJSON(staged, file, dockerManifestSchema, 'docker save manifest') : undefined;
}

async function planDocker(staged: StagedArchive, entries: NonNullable<Awaited<ReturnType<typeof dockerEntries>>>): Promise<PlannedImage[]> {
  if (entries.length === 0) throw archiveError('manifest.json lists no images');
  const out: PlannedImage[] = [];
  for (const [i, e] of entries.entries()) {
    const where = `manifest.json entry ${i + 1}`;
    const cfgFile = staged.get(e.Config);
    if (!cfgFile) throw archiveError(`${where}: config ${JSON.stringify(e.Config)} is missing from the archive`);
    // `<hex>.json` names the config by its digest, which is the image ID.
    const m = /^([a-f0-9]{64})\.json$/.exec(e.Config);
    if (m && `sha256:${m[1]}` !== cfgFile.digest) {
      throw archiveError(`${e.Config}: content has digest ${cfgFile.digest}, not the one its name says (corrupt or tampered archive)`);
    }
    const config = await configOf(staged, cfgFile);
    const files = e.Layers.map((l) => {
      const f = staged.get(l);
      if (!f) throw archiveError(`${where}: layer ${JSON.stringify(l)} is missing from the archive`);
      return f;
    });
    out.push({ format: 'docker-archive', names: names(e.RepoTags ?? [], `${where} RepoTags`), manifest: null, config, layers: layersOf(config.parsed, files, where) });
  }
  return out;
}

export async function planImages(staged: StagedArchive): Promise<PlannedImage[]> {
  const docker = await dockerEntries(staged);
  if (staged.has('index.json') && staged.has('oci-layout')) {
    const tags = new Map<string, string[]>();
    for (const e of docker ?? []) {
      const cfg = staged.get(e.Config);
      if (cfg) tags.set(cfg.digest, [...(tags.get(cfg.digest) ?? []), ...(e.RepoTags ?? [])]);
    }
    return planOci(staged, tags);
  }
  if (docker) return planDocker(staged, docker);
  const what = staged.has('index.json') ? 'index.json without an oci-layout file' : 'neither manifest.json (docker save) nor index.json + oci-layout (OCI layout)';
  throw archiveError(`not an image archive: it has ${what}`);
}
