// The per-namespace reference index refs/<ns>.json: reference → image record. An image whose
// last name moved to another image stays listed under its ID (Docker's dangling `<none>` image).
import { readFile, readdir } from 'node:fs/promises';
import { z } from 'zod';
import { NerdnetError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';
import { isIdentifier } from '../store/layout.js';
import type { ImageStorePaths } from './paths.js';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);

// A loaded image under one of its names.
export interface ImageRecord {
  // Normalised reference, or null for an unnamed (dangling) image.
  name: string | null;
  // Image ID: the config digest, as Docker shows it.
  id: string;
  manifestDigest: string | null;
  diffIDs: string[];
  // Unpacked bytes of file content across layers.
  size: number;
  created: string | null;
  os: string;
  architecture: string;
  format: 'docker-archive' | 'oci-archive';
  loadedAt: string;
  // The layers as blobs (kept in blobs/ for push), in manifest order; absent for images added
  // before nerdnet kept them.
  layerBlobs?: LayerBlob[];
}

export interface LayerBlob {
  digest: string;
  size: number;
  mediaType: string;
}

export const imageRecordSchema: z.ZodType<ImageRecord> = z.object({
  // Normalised reference, or null for an unnamed (dangling) image.
  name: z.string().nullable(),
  // Image ID: the config digest, as Docker shows it.
  id: digest,
  manifestDigest: digest.nullable(),
  diffIDs: z.array(digest),
  // Unpacked bytes of file content across layers.
  size: z.number().int().nonnegative(),
  created: z.string().nullable(),
  os: z.string(),
  architecture: z.string(),
  format: z.enum(['docker-archive', 'oci-archive']),
  loadedAt: z.string(),
  layerBlobs: z.array(z.object({ digest, size: z.number().int().nonnegative(), mediaType: z.string() })).optional(),
});

const refsFileSchema = z.object({ version: z.literal(1), images: z.record(z.string(), imageRecordSchema) });
export type RefMap = Record<string, ImageRecord>;

// The index key: the name, or the ID for a dangling image.
export function refKey(record: ImageRecord): string {
  return record.name ?? record.id;
}

export async function readRefs(paths: ImageStorePaths, namespace: string): Promise<RefMap> {
  const file = paths.refsFile(namespace);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `image index ${file} is not JSON (${(err as Error).message}); remove it to forget this namespace's images`, { cause: err });
  }
  const parsed = refsFileSchema.safeParse(json);
  if (!parsed.success) throw new NerdnetError('ERR_INVALID_CONFIG', `image index ${file} is invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return parsed.data.images;
}

// Call with the store lock held.
export async function writeRefs(paths: ImageStorePaths, namespace: string, images: RefMap): Promise<void> {
  const sorted = Object.fromEntries(Object.entries(images).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeFileAtomic(paths.refsFile(namespace), `${JSON.stringify({ version: 1, images: sorted }, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
}

// Every namespace that has a reference index (for GC across namespaces).
export async function refNamespaces(paths: ImageStorePaths): Promise<string[]> {
  const names = await readdir(paths.refsDir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)).filter(isIdentifier);
}

// Add or move `name` to `record`; the image it pointed to stays, by ID, if nothing else names it.
export function setRef(images: RefMap, record: ImageRecord): void {
  // Loading an unnamed image that is already listed (named or not) changes nothing.
  if (record.name === null && Object.values(images).some((r) => r.id === record.id)) return;
  const key = refKey(record);
  const old = images[key];
  images[key] = record;
  if (record.name !== null) delete images[record.id];
  if (old && old.id !== record.id && !Object.values(images).some((r) => r.id === old.id)) {
    images[old.id] = { ...old, name: null };
  }
}
