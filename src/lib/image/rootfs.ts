// A container's root filesystem: the image's layers as overlay lower dirs, a private upper dir,
// mounted at `<containerDir>/rootfs` (runc's bundle convention). Or a plain directory, as given.
import { chmod, mkdir, readFile, realpath, rm, rmdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NerdnetError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';
import { exists } from './fsutil.js';
import { collectGarbage, rootfsRecordSchema, type RootfsRecord } from './gc.js';
import { isMountPoint, mountOverlay, mountsUnder, unmount } from './mounts.js';
import { rootfsPaths } from './paths.js';
import type { ImageRecord } from './refs.js';
import type { ImageStore } from './store.js';

export interface PreparedRootfs {
  // The directory to give runc as root.path.
  path: string;
  kind: 'overlay' | 'dir';
  // Unmount only: the upper dir (the container's changes) stays for the next start.
  unmount(): Promise<void>;
  // Unmount and delete everything prepareRootfs made (no-op for a plain directory).
  remove(): Promise<void>;
}

async function readRecord(file: string): Promise<RootfsRecord | undefined> {
  try {
    return rootfsRecordSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NerdnetError('ERR_INVALID_CONFIG', `rootfs record ${file} is unreadable: ${(err as Error).message}`, { cause: err });
  }
}

// Make `dir` if missing; remember it for rollback when this call made it.
async function mkdirTracked(dir: string, mode: number, made: string[]): Promise<void> {
  if (await exists(dir)) return;
  await mkdir(dir, { recursive: true, mode });
  await chmod(dir, mode);
  made.push(dir);
}

// mountinfo shows real paths: a symlink in the container dir's path must not hide a mount.
async function canonical(containerDir: string): Promise<string> {
  return realpath(containerDir).catch(() => resolve(containerDir));
}

// Mount (or re-mount after a reboot) the image's overlay at `<containerDir>/rootfs`. Idempotent.
export async function prepareRootfs(store: ImageStore, image: ImageRecord, containerDirArg: string): Promise<PreparedRootfs> {
  rootfsPaths(containerDirArg);
  await mkdir(containerDirArg, { recursive: true, mode: 0o700 });
  const containerDir = await canonical(containerDirArg);
  const p = rootfsPaths(containerDir);
  const recordFile = store.paths.rootfsRecord(containerDir);
  await store.locked(async () => {
    const before = await readRecord(recordFile);
    if (before && before.imageId !== image.id) {
      throw new NerdnetError('ERR_ALREADY_EXISTS', `${containerDir} already has a rootfs of image ${before.imageName ?? before.imageId}; remove it first (removeRootfs)`);
    }
    for (const d of image.diffIDs) {
      if (!(await exists(store.paths.layerDir(d)))) {
        throw new NerdnetError('ERR_NOT_FOUND', `layer ${d} of image ${image.name ?? image.id} is missing from ${store.paths.layersDir}; load the image again`);
      }
    }
    const record: RootfsRecord = { containerDir, namespace: store.namespace, imageId: image.id, imageName: image.name, diffIDs: image.diffIDs, createdAt: before?.createdAt ?? new Date().toISOString() };
    // Record first: GC keeps these layers from now on, and a crash leaves a record GC can judge.
    await writeFileAtomic(recordFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    const made: string[] = [];
    try {
      await mkdirTracked(p.overlayDir, 0o700, made);
      await mkdirTracked(p.upper, 0o755, made);
      await mkdirTracked(p.work, 0o700, made);
      await mkdirTracked(p.merged, 0o755, made);
      if (await isMountPoint(p.merged)) return;
      const lower = image.diffIDs.length === 0 ? ['empty'] : [...image.diffIDs].reverse().map((d) => store.paths.layerFsRelative(d));
      await mountOverlay({ lower, upper: p.upper, work: p.work, target: p.merged, cwd: store.paths.root });
    } catch (err) {
      // Undo only what this call made: a restarted container keeps its upper dir.
      for (const dir of made.reverse()) await rm(dir, { recursive: true, force: true });
      if (!before) await rm(recordFile, { force: true });
      throw err;
    }
  });
  return {
    path: p.merged,
    kind: 'overlay',
    unmount: () => unmountRootfs(containerDir),
    remove: () => removeRootfs(store, containerDir),
  };
}

// Unmount the overlay (and anything left mounted below it); the upper dir is kept.
export async function unmountRootfs(containerDir: string, opts: { lazy?: boolean } = {}): Promise<void> {
  const p = rootfsPaths(await canonical(containerDir));
  for (const m of await mountsUnder(p.merged)) await unmount(m.mountPoint, opts);
}

// Unmount and delete the overlay dirs of `containerDir` and its record, then collect garbage.
// Only what prepareRootfs made is touched; a container dir without a record is left alone.
export async function removeRootfs(store: ImageStore, containerDirArg: string, opts: { lazy?: boolean } = {}): Promise<void> {
  const containerDir = await canonical(containerDirArg);
  const p = rootfsPaths(containerDir);
  const recordFile = store.paths.rootfsRecord(containerDir);
  await store.locked(async () => {
    if (!(await readRecord(recordFile))) return;
    await unmountRootfs(containerDir, opts);
    // Never delete recursively through a mount: that would reach into lower layers or the host.
    const left = [...(await mountsUnder(p.merged)), ...(await mountsUnder(p.overlayDir))];
    if (left.length > 0) throw new NerdnetError('ERR_IN_USE', `cannot remove the rootfs of ${containerDir}: ${left.map((m) => m.mountPoint).join(', ')} still mounted`);
    await rm(p.overlayDir, { recursive: true, force: true });
    // The unmounted merged dir is empty; rmdir refuses if it is not, rather than deleting files.
    await rmdir(p.merged).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw new NerdnetError('ERR_HOST', `cannot remove ${p.merged}: ${err.message}`, { cause: err });
    });
    await rm(recordFile, { force: true });
    await collectGarbage(store.paths);
  });
}

// `--rootfs DIR`: the directory itself, no overlay, nothing to clean up.
export async function prepareDirRootfs(dir: string): Promise<PreparedRootfs> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new NerdnetError('ERR_NOT_FOUND', `rootfs directory ${dir} does not exist or is not a directory`);
  const path = await realpath(dir);
  const noop = async () => {};
  return { path, kind: 'dir', unmount: noop, remove: noop };
}
