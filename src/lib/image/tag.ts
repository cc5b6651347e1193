// `tag SOURCE TARGET`: one more name for an image (a name TARGET had moves, as in Docker).
import { normalizeReference } from './reference.js';
import { readRefs, setRef, writeRefs, type ImageRecord } from './refs.js';
import type { ImageStore } from './store.js';

export async function tagImage(store: ImageStore, source: string, target: string): Promise<ImageRecord> {
  const name = normalizeReference(target);
  return store.locked(async () => {
    const image = await store.resolve(source);
    const refs = await readRefs(store.paths, store.namespace);
    const record = { ...image, name };
    setRef(refs, record);
    await writeRefs(store.paths, store.namespace, refs);
    return record;
  });
}
