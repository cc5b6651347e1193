// Find an image in a namespace's index the way Docker does: by reference first (normalised),
// then by ID (`sha256:<hex>`, full hex, or a unique hex prefix), `name@sha256:` by manifest digest.
import { NerdnetError } from '../errors.js';
import { fullName, parseReference } from './reference.js';
import { refKey, type ImageRecord, type RefMap } from './refs.js';

export interface FoundImage {
  record: ImageRecord;
  // How it was found: removing by ID removes every name of the image, by name only that name.
  by: 'name' | 'id';
}

function byId(images: RefMap, ref: string): ImageRecord[] {
  const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
  if (!/^[a-f0-9]{1,64}$/.test(hex)) return [];
  const ids = new Set(Object.values(images).filter((r) => r.id.slice(7).startsWith(hex)).map((r) => r.id));
  if (ids.size > 1) throw new NerdnetError('ERR_INVALID_ARG', `image ID prefix ${JSON.stringify(ref)} is ambiguous: it matches ${ids.size} images; give more digits`);
  const [id] = ids;
  // Named entries first, so a caller picking [0] gets a name when there is one.
  return Object.values(images)
    .filter((r) => r.id === id)
    .sort((a, b) => (a.name === null ? 1 : 0) - (b.name === null ? 1 : 0));
}

export function findImage(images: RefMap, ref: string, namespace: string): FoundImage {
  const isFullId = /^(sha256:)?[a-f0-9]{64}$/.test(ref);
  if (!isFullId && !ref.startsWith('sha256:')) {
    let parsed: ReturnType<typeof parseReference> | undefined;
    try {
      parsed = parseReference(ref);
    } catch (err) {
      // Not a valid name; a lowercase hex string may still be an ID prefix.
      if (!/^[a-f0-9]+$/.test(ref)) throw err;
    }
    if (parsed?.digest !== undefined) {
      const name = fullName(parsed);
      const hit = Object.values(images).find((r) => r.manifestDigest === parsed.digest && r.name !== null && r.name.startsWith(`${name}:`));
      if (hit) return { record: hit, by: 'name' };
    } else if (parsed) {
      const hit = images[`${fullName(parsed)}:${parsed.tag ?? 'latest'}`];
      if (hit) return { record: hit, by: 'name' };
    }
  }
  const hits = byId(images, ref);
  if (hits[0]) return { record: hits[0], by: 'id' };
  throw new NerdnetError('ERR_NOT_FOUND', `image ${JSON.stringify(ref)} not found in namespace ${JSON.stringify(namespace)}`, { remedy: { kind: 'load-image', backend: 'runc' } });
}

// Every index key that names the image with this ID.
export function keysOf(images: RefMap, id: string): string[] {
  return Object.values(images)
    .filter((r) => r.id === id)
    .map(refKey);
}
