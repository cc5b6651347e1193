// An image as containerd's content store holds it: target (index or manifest) → the host
// platform's manifest → config and layers. Used to resolve, list and unpack images.
import type { z } from 'zod';
import { NerdnetError } from '../errors.js';
import { hostArchitecture } from '../image/archive-plan.js';
import { parseImageConfig, type ImageConfig } from '../image/config.js';
import { CONFIG_TYPES, INDEX_TYPES, MANIFEST_TYPES, firstIssue, indexSchema, manifestSchema, type Manifest } from '../image/schema.js';
import type { ContainerdClient } from './client.js';
import { readContent } from './content.js';
import type { LayerToUnpack } from './unpack.js';
import type { Descriptor } from './types.js';

export interface ImageContent {
  // The platform manifest (the target itself unless the target is an index).
  manifest: Descriptor;
  config: { descriptor: Descriptor; parsed: ImageConfig };
  layers: LayerToUnpack[];
}

async function readJSON<T>(client: ContainerdClient, d: Descriptor, schema: z.ZodType<T>, what: string, image: string): Promise<T> {
  const bytes = await readContent(client, d.digest);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `image ${image}: ${what} ${d.digest} is not JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new NerdnetError('ERR_INVALID_CONFIG', `image ${image}: invalid ${what} ${d.digest}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

async function platformManifest(client: ContainerdClient, target: Descriptor, image: string): Promise<{ d: Descriptor; m: Manifest }> {
  let d = target;
  for (let depth = 0; depth < 3; depth++) {
    if (MANIFEST_TYPES.includes(d.mediaType)) return { d, m: await readJSON(client, d, manifestSchema, 'manifest', image) };
    if (!INDEX_TYPES.includes(d.mediaType)) break;
    const index = await readJSON(client, d, indexSchema, 'image index', image);
    const arch = hostArchitecture();
    const pick = index.manifests.find((m) => (m.platform?.os ?? 'linux') === 'linux' && (m.platform?.architecture ?? arch) === arch);
    if (!pick) throw new NerdnetError('ERR_NOT_FOUND', `image ${image} has no linux/${arch} manifest (it lists: ${index.manifests.map((m) => `${m.platform?.os ?? '?'}/${m.platform?.architecture ?? '?'}`).join(', ') || 'nothing'})`);
    d = pick;
  }
  throw new NerdnetError('ERR_INVALID_CONFIG', `image ${image}: target ${d.digest} has unsupported media type ${JSON.stringify(d.mediaType)}`);
}

export async function readImageContent(client: ContainerdClient, target: Descriptor, image: string): Promise<ImageContent> {
  const { d, m } = await platformManifest(client, target, image);
  if (!CONFIG_TYPES.includes(m.config.mediaType)) throw new NerdnetError('ERR_INVALID_CONFIG', `image ${image}: config ${m.config.digest} has unsupported media type ${JSON.stringify(m.config.mediaType)}`);
  const { config } = parseImageConfig(await readContent(client, m.config.digest), `config ${m.config.digest} of image ${image}`);
  if (config.diffIDs.length !== m.layers.length) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `image ${image}: manifest ${d.digest} has ${m.layers.length} layers but its config lists ${config.diffIDs.length} diff_ids`);
  }
  const strip = ({ mediaType, digest, size }: Descriptor): Descriptor => ({ mediaType, digest, size });
  return {
    manifest: strip(d),
    config: { descriptor: strip(m.config), parsed: config },
    layers: m.layers.map((l, i) => ({ blob: strip(l), diffID: config.diffIDs[i] as string })),
  };
}
