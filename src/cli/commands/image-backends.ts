// Where `image load|ls|rm|inspect` keep images: the library's image service for the command line's
// backend (nerdnet's own store under --data-root, or containerd's at --address/--namespace).
import type { Command } from 'commander';
import { openImages, type ImageBackend } from '../../lib/api/images.js';
import { wiringOf } from '../wiring.js';

// Open, run, close (the gRPC channel must not keep the process alive).
export async function withImages<T>(cmd: Command, fn: (images: ImageBackend) => Promise<T>): Promise<T> {
  const images = await openImages(wiringOf(cmd).settings);
  try {
    return await fn(images);
  } finally {
    await images.close();
  }
}
