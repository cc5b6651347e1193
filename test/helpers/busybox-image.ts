// Test images: the project's busybox docker-archive (built once per busybox binary and script, cached
// in the OS temp dir) and small OCI-layout / plain tar archives built in memory with tar-stream.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export const BUSYBOX = '/bin/busybox';
export const BUSYBOX_REF = 'busybox:latest';
export const MAKE_BUSYBOX_IMAGE = fileURLToPath(new URL('../../scripts/make-busybox-image', import.meta.url));

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

// Why the busybox image cannot be built here, or undefined.
export function busyboxSkipReason(): string | undefined {
  if (!existsSync(BUSYBOX)) return `needs ${BUSYBOX} (apt-get install busybox-static)`;
  return undefined;
}

let building: Promise<string> | undefined;

// Path of busybox:latest as a docker-archive tar; built by scripts/make-busybox-image on first use.
export function busyboxImageArchive(): Promise<string> {
  building ??= (async () => {
    const key = `${sha256(readFileSync(BUSYBOX)).slice(0, 16)}-${sha256(readFileSync(MAKE_BUSYBOX_IMAGE)).slice(0, 8)}`;
    const path = join(tmpdir(), `nerdnet-busybox-${key}.tar`);
    if (existsSync(path)) return path;
    // Build beside the cache file, then rename: parallel test processes never see half a tar.
    const tmp = `${path}.${process.pid}.tmp`;
    const r = spawnSync(MAKE_BUSYBOX_IMAGE, [tmp], { encoding: 'utf8' });
    if (r.status !== 0) {
      await rm(tmp, { force: true });
      throw new Error(`scripts/make-busybox-image failed (${r.status}): ${r.stderr}`);
    }
    await rename(tmp, path);
    return path;
  })();
  return building;
}

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  data?: string | Buffer;
  mode?: number;
  linkname?: string;
}

const MTIME = new Date('2024-01-01T00:00:00Z');

// A tar in memory: deterministic (fixed mtime, uid 0), entries in the order given.
export async function tarBuffer(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), mtime: MTIME, uid: 0, gid: 0, ...(e.linkname !== undefined ? { linkname: e.linkname } : {}) };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') p.entry(header, e.data ?? '', cb);
      else p.entry(header, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function writeTar(path: string, entries: TarEntry[]): Promise<void> {
  await writeFile(path, await tarBuffer(entries));
}

export interface OciImageSpec {
  layers: TarEntry[][];
  gzip?: boolean;
  // io.containerd.image.name (nerdctl save); else org.opencontainers.image.ref.name when refName is set.
  imageName?: string;
  refName?: string;
  // Merged into the config's `config` object (Env, Cmd, ExposedPorts, …).
  config?: Record<string, unknown>;
  layerMediaType?: string;
  // Last chance to break the config (wrong diff_ids…) before it is hashed.
  mutateConfig?: (config: { rootfs: { diff_ids: string[] } } & Record<string, unknown>) => void;
  // Also write docker save's manifest.json (docker >= 25 and nerdctl save do).
  dockerManifestTags?: string[];
}

export interface OciArchive {
  entries: TarEntry[];
  configDigest: string;
  manifestDigest: string;
  diffIDs: string[];
  layerDigests: string[];
}

// An OCI image layout as `nerdctl save` / `podman save --format oci-archive` write it.
export async function ociArchive(spec: OciImageSpec): Promise<OciArchive> {
  const blobs: TarEntry[] = [];
  const blob = (data: Buffer) => {
    const hex = sha256(data);
    if (!blobs.some((b) => b.name === `blobs/sha256/${hex}`)) blobs.push({ name: `blobs/sha256/${hex}`, data });
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const diffIDs: string[] = [];
  const layerDescs = [];
  for (const entries of spec.layers) {
    const tar = await tarBuffer(entries);
    diffIDs.push(`sha256:${sha256(tar)}`);
    const stored = spec.gzip ? gzipSync(tar) : tar;
    const mediaType = spec.layerMediaType ?? `application/vnd.oci.image.layer.v1.tar${spec.gzip ? '+gzip' : ''}`;
    layerDescs.push({ mediaType, ...blob(stored) });
  }
  const config = { architecture: 'amd64', os: 'linux', created: MTIME.toISOString(), config: { Cmd: ['sh'], ...spec.config }, rootfs: { type: 'layers', diff_ids: [...diffIDs] } };
  spec.mutateConfig?.(config);
  const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(Buffer.from(JSON.stringify(config))) };
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: layerDescs };
  const manifestDesc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...blob(Buffer.from(JSON.stringify(manifest))) };
  const annotations: Record<string, string> = {};
  if (spec.imageName) annotations['io.containerd.image.name'] = spec.imageName;
  if (spec.refName) annotations['org.opencontainers.image.ref.name'] = spec.refName;
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...manifestDesc, annotations }] };
  const entries: TarEntry[] = [
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...blobs,
    { name: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', data: JSON.stringify(index) },
  ];
  if (spec.dockerManifestTags) {
    const docker = [{ Config: `blobs/sha256/${configDesc.digest.slice(7)}`, RepoTags: spec.dockerManifestTags, Layers: layerDescs.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }];
    entries.push({ name: 'manifest.json', data: JSON.stringify(docker) });
  }
  return { entries, configDigest: configDesc.digest, manifestDigest: manifestDesc.digest, diffIDs, layerDigests: layerDescs.map((l) => l.digest) };
}

// A classic `docker save` archive: manifest.json, <config hex>.json, <n>/layer.tar.
export async function dockerArchive(spec: { layers: TarEntry[][]; tags: string[]; gzip?: boolean; config?: Record<string, unknown> }): Promise<{ entries: TarEntry[]; id: string; diffIDs: string[] }> {
  const entries: TarEntry[] = [];
  const diffIDs: string[] = [];
  const paths: string[] = [];
  for (const [i, layer] of spec.layers.entries()) {
    const tar = await tarBuffer(layer);
    diffIDs.push(`sha256:${sha256(tar)}`);
    paths.push(`${i}/layer.tar`);
    entries.push({ name: `${i}/layer.tar`, data: spec.gzip ? gzipSync(tar) : tar });
  }
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'], ...spec.config }, rootfs: { type: 'layers', diff_ids: diffIDs } });
  const hex = sha256(config);
  entries.push({ name: `${hex}.json`, data: config });
  entries.push({ name: 'manifest.json', data: JSON.stringify([{ Config: `${hex}.json`, RepoTags: spec.tags, Layers: paths }]) });
  return { entries, id: `sha256:${hex}`, diffIDs };
}
