// Garbage collection: blobs and layers no image name (in any namespace) and no prepared rootfs
// refers to are removed, and staging dirs of dead processes. Call with the store lock held.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { exists } from './fsutil.js';
import { isMountPoint } from './mounts.js';
import type { ImageStorePaths } from './paths.js';
import { readRefs, refNamespaces } from './refs.js';

export const rootfsRecordSchema = z.object({
  containerDir: z.string(),
  namespace: z.string(),
  imageId: z.string(),
  imageName: z.string().nullable(),
  diffIDs: z.array(z.string()),
  createdAt: z.string(),
});
export type RootfsRecord = z.infer<typeof rootfsRecordSchema>;

export interface GcResult {
  blobs: string[];
  layers: string[];
}

// Every rootfs record with its file; unreadable ones are skipped (GC keeps what it cannot judge).
export async function readRootfsRecords(paths: ImageStorePaths): Promise<Array<{ file: string; record: RootfsRecord }>> {
  const out: Array<{ file: string; record: RootfsRecord }> = [];
  for (const name of await readdir(paths.rootfsRecordsDir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const file = join(paths.rootfsRecordsDir, name);
    try {
      out.push({ file, record: rootfsRecordSchema.parse(JSON.parse(await readFile(file, 'utf8'))) });
    } catch {
      // A torn or foreign file: leave it for a human.
    }
  }
  return out;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function collectGarbage(paths: ImageStorePaths): Promise<GcResult> {
  const keepBlobs = new Set<string>();
  const keepLayers = new Set<string>();
  for (const ns of await refNamespaces(paths)) {
    for (const r of Object.values(await readRefs(paths, ns))) {
      keepBlobs.add(r.id.slice(7));
      if (r.manifestDigest) keepBlobs.add(r.manifestDigest.slice(7));
      for (const b of r.layerBlobs ?? []) keepBlobs.add(b.digest.slice(7));
      for (const d of r.diffIDs) keepLayers.add(d.slice(7));
    }
  }
  for (const { file, record } of await readRootfsRecords(paths)) {
    const overlay = join(record.containerDir, 'overlay');
    // A record whose container dir is gone and not mounted was left by a crash: drop it.
    if (!(await exists(overlay)) && !(await isMountPoint(join(record.containerDir, 'rootfs')))) {
      await rm(file, { force: true });
      continue;
    }
    for (const d of record.diffIDs) keepLayers.add(d.slice(7));
  }
  const result: GcResult = { blobs: [], layers: [] };
  for (const hex of await readdir(paths.blobsDir).catch(() => [] as string[])) {
    if (keepBlobs.has(hex)) continue;
    await rm(join(paths.blobsDir, hex), { force: true });
    // `.tmp-*` are torn atomic writes of a crashed process (writes happen under this same lock).
    if (!hex.startsWith('.tmp-')) result.blobs.push(`sha256:${hex}`);
  }
  for (const hex of await readdir(paths.layersDir).catch(() => [] as string[])) {
    if (keepLayers.has(hex)) continue;
    await rm(join(paths.layersDir, hex), { recursive: true, force: true });
    result.layers.push(`sha256:${hex}`);
  }
  for (const name of await readdir(paths.tmpDir).catch(() => [] as string[])) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !pidAlive(pid)) await rm(join(paths.tmpDir, name), { recursive: true, force: true });
  }
  return result;
}
