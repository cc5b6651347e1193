// Where the image commands keep images: the library's image service (src/lib/api/images.ts), that
// is nerdnet's own store under --data-root (runc backend) or containerd's image store at
// --address/--namespace (containerd backend), so image.ts and image-registry.ts only format.
import type { Command } from 'commander';
import { openImages, type ImageBackend } from '../../lib/api/images.js';
import { backendOf, type GlobalFlags } from '../context.js';

export type CliImages = ImageBackend;

export async function imagesFor(cmd: Command): Promise<CliImages> {
  const flags = cmd.optsWithGlobals<GlobalFlags>();
  return openImages({ backend: backendOf(cmd), dataRoot: flags.dataRoot, address: flags.address, namespace: flags.namespace });
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
