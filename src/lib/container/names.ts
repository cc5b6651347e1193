// Container IDs and default names as nerdctl makes them (spec 3.1 --name).
import { randomBytes } from 'node:crypto';

// 64 lowercase hex characters, like containerd/nerdctl IDs.
export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

// `<basename of the image path>-<first 5 of id>`, `untitled-<first 5>` without an image (spec 3.1).
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

// The short ID shown by ps (12 characters).
export function shortId(id: string): string {
  return id.slice(0, 12);
}
