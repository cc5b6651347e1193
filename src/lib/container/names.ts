// Container IDs and default names as nerdctl makes them.
import { randomBytes } from 'node:crypto';

// 64 lowercase hex characters, like containerd/nerdctl IDs.
export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

// `<basename of the image path>-<first 5 of id>`, `untitled-<first 5>` without an image.
export function defaultName(image: string | undefined, id: string): string {
  const suffix = id.slice(0, 5);
  if (!image) return `untitled-${suffix}`;
  const noDigest = image.split('@')[0] ?? image;
  const last = noDigest.split('/').pop() ?? noDigest;
  const base = last.split(':')[0] ?? last;
  // An image basename may hold characters a name cannot (e.g. uppercase is fine, "+" is not).
  const clean = base.replace(/[^A-Za-z0-9_.-]/g, '').replace(/^[._-]+/, '');
  return `${clean || 'untitled'}-${suffix}`;
}

// A new container's ID and name: `requested` (--name) as is, else the default name of an ID whose
// default name is free. Default names carry only 5 hex digits of the ID, so among a few hundred
// containers two collide now and then (about 1 in 40 runs of 220 starts); nerdctl then fails the
// create with "name already used", nerdnet draws another ID. After 16 draws the name is returned
// anyway and the name store's error names the holder.
export async function pickIdAndName(isTaken: (name: string) => Promise<boolean>, requested: string | undefined, image: string | undefined, newId: () => string = newContainerId): Promise<{ id: string; name: string }> {
  if (requested) return { id: newId(), name: requested };
  for (let draws = 1; ; draws++) {
    const id = newId();
    const name = defaultName(image, id);
    if (draws === 16 || !(await isTaken(name))) return { id, name };
  }
}

// The short ID shown by ps (12 characters).
export function shortId(id: string): string {
  return id.slice(0, 12);
}
