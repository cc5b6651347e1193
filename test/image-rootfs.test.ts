// Container root filesystems: one overlay per container on the shared layers, usable by busybox,
// whiteouts honoured, and nothing mounted or left on disk after removal (root only).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageStore, loadImageArchive, mountsUnder, prepareDirRootfs, prepareRootfs, removeImages, removeRootfs, type ImageRecord } from '../src/lib/image/index.js';
import { unmount } from '../src/lib/image/mounts.js';
import { busyboxImageArchive, busyboxSkipReason, ociArchive, writeTar } from './helpers/busybox-image.js';
import { tempDir } from './helpers/host.js';

const CHROOT = ['/usr/sbin/chroot', '/sbin/chroot', '/usr/bin/chroot'].find((p) => existsSync(p));

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (overlay mounts, chroot)';
  if (!CHROOT) return 'needs chroot (coreutils)';
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return 'needs overlayfs';
  return busyboxSkipReason();
}

// The image's own PATH inside: nothing of the host's is used.
const chroot = (root: string, ...args: string[]) => execFileSync(CHROOT as string, [root, ...args], { encoding: 'utf8', env: { PATH: '/bin' } });

describe('container rootfs', { skip: skipReason() }, () => {
  let work: string;
  let removeWork: () => Promise<void>;
  let store: ImageStore;
  let busybox: ImageRecord;
  const dir = (name: string) => join(work, 'containers', name);

  before(async () => {
    ({ path: work, remove: removeWork } = await tempDir('image-rootfs'));
    store = await ImageStore.open({ dataRoot: join(work, 'root') });
    await loadImageArchive(store, await busyboxImageArchive());
    busybox = await store.resolve('busybox');
  });

  after(async () => {
    // Whatever a failed test left mounted goes first: rm -rf must never cross a mount.
    for (const m of await mountsUnder(work)) await unmount(m.mountPoint, { lazy: true });
    assert.deepEqual(await mountsUnder(work), []);
    await removeWork();
  });

  it('two containers from one image: a write in one is seen neither in the other nor in the layer', async () => {
    const a = await prepareRootfs(store, busybox, dir('a'));
    const b = await prepareRootfs(store, busybox, dir('b'));
    assert.equal(a.path, join(dir('a'), 'rootfs'));
    assert.equal(a.kind, 'overlay');
    chroot(a.path, '/bin/sh', '-c', 'echo only-a > /tmp/mark && echo "extra:x:5:" >> /etc/group && rm /bin/ls');
    assert.equal(readFileSync(join(a.path, 'tmp/mark'), 'utf8'), 'only-a\n');
    assert.equal(existsSync(join(b.path, 'tmp/mark')), false);
    assert.doesNotMatch(readFileSync(join(b.path, 'etc/group'), 'utf8'), /extra/);
    assert.ok(existsSync(join(b.path, 'bin/ls')));
    const layer = store.paths.layerFs(busybox.diffIDs[0] as string);
    assert.equal(existsSync(join(layer, 'tmp/mark')), false);
    assert.doesNotMatch(readFileSync(join(layer, 'etc/group'), 'utf8'), /extra/);
    assert.ok(existsSync(join(layer, 'bin/ls')));
    await a.remove();
    await b.remove();
  });

  it('busybox runs inside a prepared rootfs', async () => {
    const r = await prepareRootfs(store, busybox, dir('run'));
    assert.equal(chroot(r.path, '/bin/busybox', 'echo', 'hello from the image'), 'hello from the image\n');
    assert.equal(chroot(r.path, '/bin/sh', '-c', 'id -un; cat /etc/hostname 2>/dev/null || uname -s'), 'root\nLinux\n');
    await r.remove();
  });

  it('whiteouts and opaque directories of an upper layer hide lower files', async () => {
    const oci = await ociArchive({
      imageName: 'whiteout:test',
      gzip: true,
      layers: [
        [
          { name: 'a/', type: 'directory' },
          { name: 'a/keep', data: 'keep' },
          { name: 'a/gone', data: 'gone' },
          { name: 'b/', type: 'directory' },
          { name: 'b/old1', data: '1' },
          { name: 'b/sub/old2', data: '2' },
          { name: 'top', data: 'top' },
        ],
        [
          { name: 'a/.wh.gone', data: '' },
          { name: 'b/.wh..wh..opq', data: '' },
          { name: 'b/new', data: 'new' },
          { name: '.wh.top', data: '' },
        ],
      ],
    });
    const path = join(work, 'wh.tar');
    await writeTar(path, oci.entries);
    await loadImageArchive(store, path);
    const r = await prepareRootfs(store, await store.resolve('whiteout:test'), dir('wh'));
    assert.deepEqual(readdirSync(join(r.path, 'a')), ['keep']);
    assert.deepEqual(readdirSync(join(r.path, 'b')), ['new']);
    assert.equal(existsSync(join(r.path, 'top')), false);
    // The lower layer itself still has everything.
    assert.deepEqual(readdirSync(join(store.paths.layerFs(oci.diffIDs[0] as string), 'b')).sort(), ['old1', 'sub']);
    await r.remove();
  });

  it('unmount keeps the container changes; preparing again remounts them; prepare is idempotent', async () => {
    const c = dir('restart');
    const r = await prepareRootfs(store, busybox, c);
    writeFileSync(join(r.path, 'root/state'), 'kept');
    await prepareRootfs(store, busybox, c);
    assert.equal((await mountsUnder(r.path)).length, 1);
    await r.unmount();
    assert.deepEqual(await mountsUnder(r.path), []);
    assert.equal(existsSync(join(r.path, 'root/state')), false);
    const again = await prepareRootfs(store, busybox, c);
    assert.equal(readFileSync(join(again.path, 'root/state'), 'utf8'), 'kept');
    const other = await ociArchive({ imageName: 'other:1', layers: [[{ name: 'o', data: 'o' }]] });
    await writeTar(join(work, 'other.tar'), other.entries);
    await loadImageArchive(store, join(work, 'other.tar'));
    await assert.rejects(prepareRootfs(store, await store.resolve('other:1'), c), (err: Error & { code?: string }) => err.code === 'ERR_ALREADY_EXISTS');
    await again.remove();
  });

  it('remove leaves no mount, no directory and no record, and can run twice', async () => {
    const c = dir('gone');
    const r = await prepareRootfs(store, busybox, c);
    await r.remove();
    await removeRootfs(store, c);
    assert.deepEqual(await mountsUnder(c), []);
    assert.deepEqual(readdirSync(c), []);
    assert.equal(existsSync(store.paths.rootfsRecord(c)), false);
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(c));
  });

  it('image rm refuses an image a rootfs uses; --force untags and the layer goes with the rootfs', async () => {
    const oci = await ociArchive({ imageName: 'used:1', layers: [[{ name: 'u', data: 'u' }]] });
    await writeTar(join(work, 'used.tar'), oci.entries);
    await loadImageArchive(store, join(work, 'used.tar'));
    const c = dir('user');
    const r = await prepareRootfs(store, await store.resolve('used:1'), c);
    await assert.rejects(removeImages(store, ['used:1']), (err: Error & { code?: string }) => err.code === 'ERR_IN_USE' && err.message.includes(c));
    const res = await removeImages(store, ['used:1'], { force: true });
    assert.deepEqual(res.deleted, [oci.configDigest]);
    const layer = store.paths.layerDir(oci.diffIDs[0] as string);
    assert.ok(existsSync(layer), 'a mounted layer survives GC');
    assert.equal(readFileSync(join(r.path, 'u'), 'utf8'), 'u');
    await r.remove();
    assert.equal(existsSync(layer), false);
  });

  it('an image without layers mounts over an empty lower dir', async () => {
    const oci = await ociArchive({ imageName: 'scratch:1', layers: [] });
    await writeTar(join(work, 'scratch.tar'), oci.entries);
    await loadImageArchive(store, join(work, 'scratch.tar'));
    const r = await prepareRootfs(store, await store.resolve('scratch:1'), dir('scratch'));
    assert.deepEqual(readdirSync(r.path), []);
    await r.remove();
  });

  it('a plain directory rootfs is passed through, and its remove touches nothing', async () => {
    const plain = join(work, 'plain');
    mkdirSync(join(plain, 'bin'), { recursive: true });
    const r = await prepareDirRootfs(plain);
    assert.deepEqual([r.path, r.kind], [plain, 'dir']);
    await r.remove();
    assert.ok(existsSync(join(plain, 'bin')));
    await assert.rejects(prepareDirRootfs(join(work, 'missing')), (err: Error & { code?: string }) => err.code === 'ERR_NOT_FOUND');
  });

  it('a container dir overlayfs cannot name is refused before anything is made', async () => {
    for (const bad of [join(work, 'a,b'), join(work, 'a:b')]) {
      await assert.rejects(prepareRootfs(store, busybox, bad), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_ARG');
      assert.equal(existsSync(bad), false);
    }
  });
});
