// libc through koffi, for the calls Node lacks: flock (store/flock.ts), sockets for the port
// reserver (ports/reserve.ts), mknod and xattrs for image layers (image/native.ts). koffi is a
// native addon that takes ~12 ms to load, so it is loaded on the first call, never at import:
// commands (and hook runs) that need none of these calls do not pay for it.
import { createRequire } from 'node:module';
import type { LibraryHandle } from 'koffi';

export interface Libc {
  lib: LibraryHandle;
  // errno of the last failed call made through `lib`.
  errno: () => number;
}

let loaded: Libc | undefined;

export function libc(): Libc {
  if (!loaded) {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    loaded = { lib: koffi.load('libc.so.6'), errno: () => koffi.errno() };
  }
  return loaded;
}
