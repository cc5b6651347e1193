// Where the image commands keep images: the library's image service (src/lib/api/images.ts), that
// is nerdnet's own store under --data-root (runc backend) or containerd's image store at
// --address/--namespace (containerd backend), so image.ts and image-registry.ts only format.
import type { Command } from 'commander';
import { openImages, type ImageBackend } from '../../lib/api/images.js';
import { wiringOf } from '../wiring.js';

export type CliImages = ImageBackend;

// The settings the composition root decided (flags, environment, nerdctl.toml).
export function imagesFor(cmd: Command): Promise<CliImages> {
  return openImages(wiringOf(cmd).settings);
}

// Open, run, close (the gRPC channel must not keep the process alive).
export async function withImages<T>(cmd: Command, fn: (images: CliImages) => Promise<T>): Promise<T> {
  const images = await imagesFor(cmd);
  try {
    return await fn(images);
  } finally {
    await images.close();
  }
}
