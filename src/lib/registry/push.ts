// Push an image of nerdnet's store to the registry its name says: each layer blob and the config
// (skipped when the registry has it), then a manifest built from them (Docker v2 schema 2 for
// docker-archive images, OCI otherwise) under the name's tag.
import { readFile } from 'node:fs/promises';
import { NerdnetError, wrapError } from '../errors.js';
import { sha256Digest } from '../image/digest.js';
import { exists } from '../image/fsutil.js';
import { familiarString, formatReference, parseReference } from '../image/reference.js';
import { MEDIA } from '../image/schema.js';
import type { ImageStore } from '../image/store.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';

export type PushEvent =
  | { type: 'blob'; digest: string; status: 'exists' | 'uploading' | 'pushed'; size: number }
  | { type: 'done'; reference: string; digest: string };

export interface PushOptions extends RegistryClientOptions {
  onProgress?: (event: PushEvent) => void;
}

export interface PushedImage {
  name: string;
  // Digest of the manifest pushed.
  digest: string;
}

export async function pushImage(store: ImageStore, input: string, opts: PushOptions = {}): Promise<PushedImage> {
  const ref = parseReference(input);
  const emit = opts.onProgress ?? (() => {});
  try {
    if (ref.digest !== undefined) throw new NerdnetError('ERR_INVALID_ARG', `push ${input}: give a name with a tag, not a digest (tag the image first)`);
    const record = await store.resolve(formatReference(ref));
    const layers = record.layerBlobs;
    const missing = [];
    for (const b of layers ?? []) if (!(await exists(store.paths.blob(b.digest)))) missing.push(b.digest);
    if (!layers || missing.length > 0) {
      throw new NerdnetError('ERR_NOT_FOUND', `image ${familiarString(ref)} has no layer blobs in the store (added before nerdnet kept them${missing.length ? `; missing ${missing.join(', ')}` : ''}); load or pull it again, then push`);
    }
    const configBytes = await readFile(store.paths.blob(record.id));
    const client = new RegistryClient(ref.domain, opts);
    const blobs = [...layers, { digest: record.id, size: configBytes.length }];
    for (const b of blobs) {
      if (await client.blobExists(ref.path, b.digest, true)) {
        emit({ type: 'blob', digest: b.digest, status: 'exists', size: b.size });
        continue;
      }
      emit({ type: 'blob', digest: b.digest, status: 'uploading', size: b.size });
      await client.uploadBlob(ref.path, b.digest, store.paths.blob(b.digest));
      emit({ type: 'blob', digest: b.digest, status: 'pushed', size: b.size });
    }
    const docker = record.format === 'docker-archive';
    const mediaType = docker ? MEDIA.dockerManifest : MEDIA.ociManifest;
    const manifest = {
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? MEDIA.dockerConfig : MEDIA.ociConfig, digest: record.id, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256Digest(bytes);
    await client.putManifest(ref.path, ref.tag as string, { mediaType, digest, bytes });
    emit({ type: 'done', reference: formatReference(ref), digest });
    return { name: familiarString(ref), digest };
  } catch (err) {
    throw wrapError(`cannot push ${familiarString(ref)}`, err);
  }
}
