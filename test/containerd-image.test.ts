// `image load` into a real, private containerd: what containerd's own CLI then shows (images,
// content labels, snapshots), a container snapshot that holds busybox, garbage collection after the
// image is removed, and bad archives leaving nothing behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { formatError } from '../src/cli/error-text.js';
import { deleteImage, listImages } from '../src/lib/containerd/images.js';
import { importImageArchive } from '../src/lib/containerd/image-import.js';
import { createLease, deleteLease, listLeases } from '../src/lib/containerd/leases.js';
import { listSnapshots, prepareSnapshot, removeSnapshot } from '../src/lib/containerd/snapshots.js';
import { chainIDs } from '../src/lib/containerd/unpack.js';
import { resolveImage } from '../src/lib/containerd/image-resolve.js';
import { listImageRecords, removeImages } from '../src/lib/containerd/image-list.js';
import { putImage } from '../src/lib/containerd/images.js';
import { NerdnetError } from '../src/lib/errors.js';
import type { Mount } from '../src/lib/containerd/types.js';
import { busyboxImageArchive, ociArchive, writeTar } from './helpers/busybox-image.js';
import { TestContainerd, containerdSkipReason } from './containerd-harness.js';

const skip = containerdSkipReason();

// Poll until `fn` is true (GC runs in the background); never asserts a time.
async function until(what: string, fn: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

describe('image load into containerd', { skip }, () => {
  let ctrd: TestContainerd;
  let scratch: string;

  before(async () => {
    ctrd = await TestContainerd.start('image');
    scratch = await mkdtemp(join(tmpdir(), 'nerdnet-ctrd-image-'));
  });
  after(async () => {
    await ctrd?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const ctrOk = (args: string[], ns: string) => {
    const r = ctrd.ctr(args, ns);
    assert.equal(r.status, 0, `ctr ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  // Mount a snapshot's mounts (as the runtime will), run `fn` on the rootfs, unmount.
  async function withMounted<T>(mounts: Mount[], fn: (root: string) => T): Promise<T> {
    const target = await mkdtemp(join(scratch, 'mnt-'));
    const m = mounts[0] as Mount;
    assert.equal(mounts.length, 1);
    const r = spawnSync('mount', ['-t', m.type, m.source, '-o', m.options.join(','), target], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    try {
      return fn(target);
    } finally {
      spawnSync('umount', [target]);
    }
  }

  it('imports busybox: containerd lists the image, its labelled content and its unpacked snapshot', async () => {
    const ns = 'load';
    const [img] = await importImageArchive(ctrd.client(ns), await busyboxImageArchive());
    assert.ok(img);
    assert.deepEqual(img.familiarNames, ['busybox:latest']);
    const images = ctrOk(['images', 'ls'], ns);
    assert.match(images, new RegExp(`^docker\\.io/library/busybox:latest\\s+application/vnd\\.docker\\.distribution\\.manifest\\.v2\\+json\\s+${img.manifest.digest}\\s.*linux/amd64`, 'm'));
    // Content labels that make containerd's GC keep config, layers and the snapshot.
    const content = ctrOk(['content', 'ls'], ns);
    assert.match(content, new RegExp(`^${img.manifest.digest}\\s.*containerd\\.io/gc\\.ref\\.content\\.config=${img.id}`, 'm'));
    assert.match(content, new RegExp(`^${img.id}\\s.*containerd\\.io/gc\\.ref\\.snapshot\\.overlayfs=${img.chainID}`, 'm'));
    const snapshots = ctrOk(['snapshots', 'ls'], ns);
    assert.match(snapshots, new RegExp(`^${img.chainID}\\s+Committed`, 'm'));
    const info = JSON.parse(ctrOk(['snapshots', 'info', img.chainID], ns)) as { Labels: Record<string, string> };
    assert.equal(info.Labels['containerd.io/snapshot.ref'], img.chainID);
    assert.deepEqual(await listLeases(ctrd.client(ns)), [], 'the import lease is gone');
  });

  it('gives the same image as `ctr images import` of the same archive', async () => {
    const archive = await busyboxImageArchive();
    const [ours] = await importImageArchive(ctrd.client('same-a'), archive);
    ctrOk(['images', 'import', archive], 'same-b');
    const theirs = ctrOk(['images', 'ls', '-q'], 'same-b');
    assert.equal(theirs.trim(), 'docker.io/library/busybox:latest');
    const digestOf = (ns: string) => /sha256:[a-f0-9]{64}/.exec(ctrOk(['images', 'ls'], ns))?.[0];
    assert.equal(digestOf('same-b'), ours?.manifest.digest);
    assert.match(ctrOk(['snapshots', 'ls'], 'same-b'), new RegExp(`^${ours?.chainID}\\s+Committed`, 'm'));
  });

  it("prepares a container snapshot on the image whose mounts hold busybox's /bin/sh", async () => {
    const ns = 'snap';
    const c = ctrd.client(ns);
    const [img] = await importImageArchive(c, await busyboxImageArchive());
    assert.ok(img);
    // An active snapshot nothing refers to is garbage: a lease keeps it (a container record would).
    const lease = await createLease(c);
    const mounts = await prepareSnapshot(c, 'nerdnet-test-ctr', img.chainID, { lease });
    try {
      assert.match(ctrOk(['snapshots', 'ls'], ns), new RegExp(`^nerdnet-test-ctr\\s+${img.chainID}\\s+Active`, 'm'));
      await withMounted(mounts, (root) => {
        assert.ok(existsSync(join(root, 'bin', 'sh')), 'bin/sh is in the rootfs');
        const r = spawnSync('chroot', [root, '/bin/sh', '-c', 'echo hello from $0'], { encoding: 'utf8' });
        assert.equal(r.stdout, 'hello from /bin/sh\n', r.stderr);
      });
    } finally {
      await removeSnapshot(c, 'nerdnet-test-ctr');
      await deleteLease(c, lease);
    }
  });

  it('unpacks several gzip layers on one another (chain IDs, whiteouts) from an OCI archive', async () => {
    const ns = 'oci';
    const c = ctrd.client(ns);
    const oci = await ociArchive({
      gzip: true,
      imageName: 'example.test/layers:v1',
      layers: [
        [{ name: 'etc/', type: 'directory' }, { name: 'etc/one', data: 'first\n' }, { name: 'etc/gone', data: 'removed later\n' }],
        [{ name: 'etc/', type: 'directory' }, { name: 'etc/two', data: 'second\n' }, { name: 'etc/.wh.gone', data: '' }],
      ],
    });
    const path = join(scratch, 'layers.tar');
    await writeTar(path, oci.entries);
    const [img] = await importImageArchive(c, path);
    assert.ok(img);
    assert.deepEqual(img.names, ['example.test/layers:v1']);
    assert.equal(img.manifest.digest, oci.manifestDigest);
    const chain = chainIDs(oci.diffIDs);
    assert.equal(img.chainID, chain[1]);
    // containerd's own importer names the snapshots of the same archive by the same chain IDs.
    ctrOk(['images', 'import', path], 'oci-ctr');
    assert.deepEqual((await listSnapshots(ctrd.client('oci-ctr'))).map((s) => s.name).sort(), [...chain].sort());
    const snaps = await listSnapshots(c);
    assert.deepEqual(snaps.map((s) => [s.name, s.parent, s.kind]).sort(), [
      [chain[0], '', 'COMMITTED'],
      [chain[1], chain[0], 'COMMITTED'],
    ].sort());
    const lease = await createLease(c);
    const mounts = await prepareSnapshot(c, 'nerdnet-test-layers', img.chainID, { lease });
    try {
      await withMounted(mounts, (root) => {
        assert.equal(readFileSync(join(root, 'etc', 'one'), 'utf8'), 'first\n');
        assert.equal(readFileSync(join(root, 'etc', 'two'), 'utf8'), 'second\n');
        assert.equal(existsSync(join(root, 'etc', 'gone')), false, 'the whiteout hides etc/gone');
      });
    } finally {
      await removeSnapshot(c, 'nerdnet-test-layers');
      await deleteLease(c, lease);
    }
  });

  it('names an unnamed image <snapshotter>@<manifest digest>, as nerdctl load does', async () => {
    const oci = await ociArchive({ layers: [[{ name: 'hello', data: 'hi\n' }]] });
    const path = join(scratch, 'unnamed.tar');
    await writeTar(path, oci.entries);
    const [img] = await importImageArchive(ctrd.client('unnamed'), path);
    assert.deepEqual(img?.names, [`overlayfs@${oci.manifestDigest}`]);
    assert.deepEqual(img?.familiarNames, []);
    assert.equal(ctrOk(['images', 'ls', '-q'], 'unnamed').trim(), `overlayfs@${oci.manifestDigest}`);
  });

  it("lets containerd's GC free content and snapshots once the image is deleted", async () => {
    const ns = 'gc';
    const c = ctrd.client(ns);
    await importImageArchive(c, await busyboxImageArchive());
    await deleteImage(c, 'docker.io/library/busybox:latest', { sync: true });
    assert.deepEqual(await listImages(c), []);
    await until('content and snapshots of the deleted image to be collected', async () => {
      const content = ctrOk(['content', 'ls', '-q'], ns).trim();
      return content === '' && (await listSnapshots(c)).length === 0;
    });
  });

  it('refuses a layer whose content does not match the diff ID, leaving no image, snapshot or content', async () => {
    const ns = 'bad';
    const c = ctrd.client(ns);
    const oci = await ociArchive({
      imageName: 'example.test/bad:v1',
      layers: [[{ name: 'a', data: 'a\n' }]],
      mutateConfig: (cfg) => {
        cfg.rootfs.diff_ids = [`sha256:${'0'.repeat(64)}`];
      },
    });
    const path = join(scratch, 'bad.tar');
    await writeTar(path, oci.entries);
    await assert.rejects(importImageArchive(c, path), (err: Error) => {
      assert.match(err.message, new RegExp(`^cannot load image archive ${path} into containerd at ${ctrd.address}: layer ${oci.layerDigests[0]}: uncompressed content has digest ${oci.diffIDs[0]} but the image config says sha256:0{64}`));
      return true;
    });
    assert.deepEqual(await listImages(c), []);
    assert.deepEqual(await listLeases(c), []);
    // Collected before the error was returned, not some time later.
    assert.equal(ctrOk(['content', 'ls', '-q'], ns).trim(), '');
    assert.deepEqual(await listSnapshots(c), []);
  });

  it('refuses a file that is not an image archive before talking about content', async () => {
    const path = join(scratch, 'not-an-image.tar');
    await mkdir(scratch, { recursive: true });
    await writeTar(path, [{ name: 'hello.txt', data: 'hi' }]);
    await assert.rejects(importImageArchive(ctrd.client('junk'), path), /not an image archive/);
    assert.deepEqual(await listImages(ctrd.client('junk')), []);
  });
  it('resolves an image by short name, full name, ID and ID prefix to one config and chain ID', async () => {
    const c = ctrd.client('resolve');
    const [img] = await importImageArchive(c, await busyboxImageArchive());
    assert.ok(img);
    for (const ref of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', img.id, img.id.slice(7), img.id.slice(7, 19), `busybox@${img.manifest.digest}`]) {
      const r = await resolveImage(c, ref);
      assert.equal(r.name, 'docker.io/library/busybox:latest', ref);
      assert.equal(r.configDigest, img.id, ref);
      assert.equal(r.chainID, img.chainID, ref);
      assert.equal(r.snapshotter, 'overlayfs');
      assert.deepEqual(r.config.cmd, ['sh']);
      assert.equal(r.platform.os, 'linux');
    }
    await assert.rejects(resolveImage(c, 'nginx'), (err: unknown) => {
      assert.ok(NerdnetError.is(err));
      assert.equal(err.code, 'ERR_NOT_FOUND');
      // The library says what to do in its own terms; the CLI words the same remedy as its command.
      assert.equal(err.message, `image "nginx" not found in containerd namespace "resolve" at ${ctrd.address}; load it first`);
      assert.equal(formatError(err), `image "nginx" not found in containerd namespace "resolve" at ${ctrd.address}; load it with \`nerdnet --backend containerd image load -i FILE\``);
      return true;
    });
  });

  it('unpacks on resolve an image that `ctr images import --no-unpack` left packed', async () => {
    const ns = 'packed';
    const c = ctrd.client(ns);
    ctrOk(['images', 'import', '--no-unpack', await busyboxImageArchive()], ns);
    assert.deepEqual(await listSnapshots(c), []);
    const r = await resolveImage(c, 'busybox');
    assert.match(ctrOk(['snapshots', 'ls'], ns), new RegExp(`^${r.chainID}\\s+Committed`, 'm'));
    assert.match(ctrOk(['content', 'ls'], ns), new RegExp(`^${r.configDigest}\\s.*containerd\\.io/gc\\.ref\\.snapshot\\.overlayfs=${r.chainID}`, 'm'));
  });

  it('lists and removes images: untag one name, refuse while a container uses it, delete with the last name', async () => {
    const ns = 'rmi';
    const c = ctrd.client(ns);
    const [img] = await importImageArchive(c, await busyboxImageArchive());
    assert.ok(img);
    await putImage(c, { name: 'docker.io/library/busybox:other', labels: {}, target: img.manifest });
    const listed = await listImageRecords(c);
    assert.deepEqual(listed.map((r) => [r.name, r.id, r.manifestDigest]), [
      ['docker.io/library/busybox:latest', img.id, img.manifest.digest],
      ['docker.io/library/busybox:other', img.id, img.manifest.digest],
    ]);
    assert.ok((listed[0]?.size ?? 0) > 1_000_000, 'size is the unpacked snapshot usage');
    await assert.rejects(removeImages(c, [img.id.slice(7, 19)]), /has 2 names \(busybox:latest, busybox:other\); remove them by name or use --force/);
    assert.deepEqual(await removeImages(c, ['busybox:other']), { untagged: ['busybox:other'], deleted: [] });
    // A container record made from the image (as nerdctl or ctr would make it).
    const spec = { typeUrl: 'types.containerd.io/opencontainers/runtime-spec/1/Spec', value: Buffer.from('{"ociVersion":"1.0.2"}') };
    await c.unary('containers', 'Create', { container: { id: 'uses-busybox', image: 'docker.io/library/busybox:latest', runtime: { name: 'io.containerd.runc.v2' }, spec } });
    try {
      await assert.rejects(removeImages(c, ['busybox']), (err: unknown) => {
        assert.ok(NerdnetError.is(err));
        assert.equal(err.code, 'ERR_IN_USE');
        assert.match(err.message, /^image busybox:latest \([0-9a-f]{12}\) is in use by container uses-busybox; remove the container first or use --force$/);
        return true;
      });
    } finally {
      await c.unary('containers', 'Delete', { id: 'uses-busybox' });
    }
    assert.deepEqual(await removeImages(c, ['busybox']), { untagged: ['busybox:latest'], deleted: [img.id] });
    assert.deepEqual(await listImageRecords(c), []);
    await until('the removed image to be collected', async () => (await listSnapshots(c)).length === 0 && ctrOk(['content', 'ls', '-q'], ns).trim() === '');
  });
  it('loads one archive twice at once: both succeed, one image, nothing left in flight', async () => {
    const ns = 'twice';
    const archive = await busyboxImageArchive();
    const [a, b] = await Promise.all([importImageArchive(ctrd.client(ns), archive), importImageArchive(ctrd.client(ns), archive)]);
    assert.equal(a[0]?.chainID, b[0]?.chainID);
    assert.equal(ctrOk(['images', 'ls', '-q'], ns).trim(), 'docker.io/library/busybox:latest');
    assert.equal(ctrOk(['content', 'active'], ns).split('\n').filter((l) => l.trim() !== '').length, 1, 'only the header: no ingest left');
    assert.deepEqual((await listSnapshots(ctrd.client(ns))).map((s) => s.kind), ['COMMITTED']);
  });
});
