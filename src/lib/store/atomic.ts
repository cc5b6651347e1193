// Atomic file replacement: temp file in the same directory, fsync, rename, fsync the directory.
// A reader sees the old file or the new one, never a torn or empty one (cni#1055, cni#1149).
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  mode?: number;
  // Mode for missing parent directories.
  dirMode?: number;
  // The temp file's suffix (default: random), e.g. the writer's identity so a leftover can be judged.
  tmpSuffix?: string;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: opts.dirMode ?? 0o700 });
  const tmp = join(dir, `.tmp-${basename(path)}.${opts.tmpSuffix ?? randomBytes(6).toString('hex')}`);
  const mode = opts.mode ?? 0o600;
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      // open()'s mode is filtered by umask; the file's mode is part of the format (0600 cache, 0644 conflist).
      await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    renamed = true;
    await syncDir(dir);
  } finally {
    if (!renamed) await rm(tmp, { force: true });
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
