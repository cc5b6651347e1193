// Loading archives into the image store: the project's busybox docker-archive, OCI layouts as
// nerdctl/podman/docker >= 25 write them, names per namespace, tag moves, removal and GC.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImageStore, loadImageArchive, removeImages } from '../src/lib/image/index.js';
import { BUSYBOX_REF, MAKE_BUSYBOX_IMAGE, busyboxImageArchive, busyboxSkipReason, dockerArchive, ociArchive, tarBuffer, writeTar } from './helpers/busybox-image.js';
import { tempDir } from './helpers/host.js';

describe('image load', { skip: busyboxSkipReason() }, () => {
  let work: string;
  let removeWork: () => Promise<void>;
  let store: ImageStore;
  let n = 0;
  const file = () => join(work, `a${n++}.tar`);

  before(async () => {
    ({ path: work, remove: removeWork } = await tempDir('image-load'));
    store = await ImageStore.open({ dataRoot: join(work, 'root') });
  });
  after(async () => removeWork());

  it('loads the busybox docker-archive: name, ID, config and an unpacked layer', async () => {
    const loaded = await loadImageArchive(store, await busyboxImageArchive());
    assert.equal(loaded.length, 1);
    assert.deepEqual(loaded[0]?.names, [BUSYBOX_REF]);
    const img = await store.resolve('busybox');
    assert.equal(img.name, 'docker.io/library/busybox:latest');
    assert.equal(img.format, 'docker-archive');
    assert.equal(img.manifestDigest, null);
    assert.match(img.id, /^sha256:[a-f0-9]{64}$/);
    for (const ref of ['busybox:latest', 'docker.io/library/busybox', img.id, img.id.slice(7), img.id.slice(7, 19)]) {
      assert.equal((await store.resolve(ref)).id, img.id, ref);
    }
    const config = await store.config(img);
    assert.deepEqual(config.cmd, ['sh']);
    assert.deepEqual(config.entrypoint, []);
    assert.ok(config.env.some((e) => e.startsWith('PATH=')));
    const fs = store.paths.layerFs(img.diffIDs[0] as string);
    assert.ok(statSync(join(fs, 'bin/busybox')).mode & 0o111);
    for (const applet of ['sh', 'ls', 'cat', 'echo', 'hostname', 'ip', 'ping', 'wget', 'nc', 'httpd', 'sleep', 'true', 'false', 'env', 'id', 'ps', 'top', 'uname', 'grep', 'sed']) {
      assert.equal(readlinkSync(join(fs, 'bin', applet)), 'busybox', applet);
    }
    assert.match(readFileSync(join(fs, 'etc/passwd'), 'utf8'), /^root:x:0:0:.*\nnobody:x:65534:65534:/);
    assert.match(readFileSync(join(fs, 'etc/group'), 'utf8'), /^root:x:0:\nnobody:x:65534:/);
    assert.equal(statSync(join(fs, 'tmp')).mode & 0o7777, 0o1777);
    assert.ok(img.size > 1_000_000);
    assert.ok(existsSync(store.paths.blob(img.id)));
  });

  it('the busybox build is deterministic, and loading it again changes nothing', async () => {
    const ids = [1, 2].map((i) => execFileSync(MAKE_BUSYBOX_IMAGE, [join(work, `bb${i}.tar`)], { encoding: 'utf8' }).trim());
    assert.deepEqual(readFileSync(join(work, 'bb1.tar')), readFileSync(join(work, 'bb2.tar')));
    assert.equal(ids[0], (await store.resolve('busybox')).id);
    const again = await loadImageArchive(store, join(work, 'bb1.tar'));
    assert.equal(again[0]?.id, ids[0]);
    assert.equal((await store.list()).length, 1);
    assert.equal(readdirSync(store.paths.tmpDir).length, 0);
  });

  it('loads an OCI layout with gzip layers, named by io.containerd.image.name (nerdctl save)', async () => {
    const oci = await ociArchive({
      gzip: true,
      imageName: 'docker.io/library/web:1.0',
      refName: '1.0',
      config: { Env: ['A=1', 'B=two'], Entrypoint: ['/bin/httpd', '-f'], Cmd: ['-p', '80'], WorkingDir: '/www', User: 'nobody', ExposedPorts: { '80/tcp': {}, '53/udp': {} } },
      layers: [[{ name: 'www/', type: 'directory' }, { name: 'www/index.html', data: 'hello' }], [{ name: 'www/more.html', data: 'more' }]],
    });
    const path = file();
    await writeTar(path, oci.entries);
    const loaded = await loadImageArchive(store, path);
    assert.deepEqual(loaded[0]?.names, ['web:1.0']);
    const img = await store.resolve('web:1.0');
    assert.equal(img.format, 'oci-archive');
    assert.equal(img.manifestDigest, oci.manifestDigest);
    assert.equal(img.id, oci.configDigest);
    assert.deepEqual(img.diffIDs, oci.diffIDs);
    assert.ok(existsSync(store.paths.blob(oci.manifestDigest)));
    const c = await store.config(img);
    assert.deepEqual([c.env, c.entrypoint, c.cmd, c.workingDir, c.user, c.exposedPorts], [['A=1', 'B=two'], ['/bin/httpd', '-f'], ['-p', '80'], '/www', 'nobody', ['53/udp', '80/tcp']]);
    assert.equal(readFileSync(join(store.paths.layerFs(oci.diffIDs[1] as string), 'www/more.html'), 'utf8'), 'more');
  });

  it('names from a full org.opencontainers.image.ref.name (podman); a bare tag leaves the image unnamed', async () => {
    const named = await ociArchive({ refName: 'localhost/podman-made:v2', layers: [[{ name: 'p', data: 'p' }]] });
    let path = file();
    await writeTar(path, named.entries);
    assert.deepEqual((await loadImageArchive(store, path))[0]?.names, ['localhost/podman-made:v2']);
    const bare = await ociArchive({ refName: 'latest', layers: [[{ name: 'q', data: 'q' }]] });
    path = file();
    await writeTar(path, bare.entries);
    const loaded = await loadImageArchive(store, path);
    assert.deepEqual(loaded[0]?.names, []);
    const img = await store.resolve(bare.configDigest);
    assert.equal(img.name, null);
    await removeImages(store, [bare.configDigest]);
  });

  it('loads docker save >= 25 archives (OCI layout and manifest.json together)', async () => {
    const both = await ociArchive({ layers: [[{ name: 'd', data: 'd' }]], dockerManifestTags: ['both:latest'] });
    const path = file();
    await writeTar(path, both.entries);
    assert.deepEqual((await loadImageArchive(store, path))[0]?.names, ['both:latest']);
    assert.equal((await store.resolve('both')).manifestDigest, both.manifestDigest);
  });

  it('loads a gzip-compressed archive (docker save | gzip) with gzip docker-archive layers', async () => {
    const d = await dockerArchive({ tags: ['zipped:1'], gzip: true, layers: [[{ name: 'z', data: 'z' }]] });
    const path = file();
    await writeFile(path, gzipSync(await tarBuffer(d.entries)));
    assert.deepEqual((await loadImageArchive(store, path))[0]?.names, ['zipped:1']);
    assert.equal((await store.resolve('zipped:1')).id, d.id);
  });

  it('moving a tag leaves the old image listed by ID until it is removed', async () => {
    const v1 = await dockerArchive({ tags: ['mover:latest'], layers: [[{ name: 'v', data: '1' }]] });
    const v2 = await dockerArchive({ tags: ['mover:latest'], layers: [[{ name: 'v', data: '2' }]] });
    for (const d of [v1, v2]) {
      const path = file();
      await writeTar(path, d.entries);
      await loadImageArchive(store, path);
    }
    assert.equal((await store.resolve('mover')).id, v2.id);
    const dangling = (await store.list()).find((r) => r.id === v1.id);
    assert.equal(dangling?.name, null);
    const result = await removeImages(store, [v1.id.slice(7, 15)]);
    assert.deepEqual(result.deleted, [v1.id]);
    assert.ok(result.gc.layers.includes(v1.diffIDs[0] as string));
    assert.equal(existsSync(store.paths.layerDir(v1.diffIDs[0] as string)), false);
    assert.ok(existsSync(store.paths.layerDir(v2.diffIDs[0] as string)));
  });

  it('names are per namespace; content is shared and kept while any namespace names it', async () => {
    const other = store.withNamespace('other-ns');
    await assert.rejects(other.resolve('busybox'), (err: Error & { code?: string }) => err.code === 'ERR_NOT_FOUND' && /namespace "other-ns"/.test(err.message));
    await loadImageArchive(other, await busyboxImageArchive());
    const img = await other.resolve('busybox');
    const r = await removeImages(other, ['busybox']);
    assert.deepEqual(r.untagged, ['busybox:latest']);
    assert.deepEqual(r.gc, { blobs: [], layers: [] });
    assert.ok(existsSync(store.paths.layerDir(img.diffIDs[0] as string)));
    assert.equal((await store.resolve('busybox')).id, img.id);
  });

  it('rm: untag one of two names, then refuse while imageInUse names users, then delete and GC', async () => {
    const d = await dockerArchive({ tags: ['rmme:1', 'rmme:2'], layers: [[{ name: 'r', data: 'r' }]] });
    const path = file();
    await writeTar(path, d.entries);
    await loadImageArchive(store, path);
    await assert.rejects(removeImages(store, [d.id]), /has 2 names/);
    assert.deepEqual((await removeImages(store, ['rmme:1'])).untagged, ['rmme:1']);
    const asked: string[] = [];
    const imageInUse = (q: { id: string; names: string[] }) => {
      asked.push(...q.names);
      return ['ctr-1'];
    };
    await assert.rejects(removeImages(store, ['rmme:2'], { imageInUse }), (err: Error & { code?: string }) => err.code === 'ERR_IN_USE' && /in use by container ctr-1/.test(err.message));
    assert.deepEqual(asked, ['docker.io/library/rmme:2']);
    await assert.rejects(removeImages(store, ['rmme:2', 'no-such-image']), /not found/);
    assert.equal((await store.resolve('rmme:2')).id, d.id);
    const r = await removeImages(store, ['rmme:2'], { imageInUse: () => [] });
    assert.deepEqual([r.untagged, r.deleted], [['rmme:2'], [d.id]]);
    assert.ok(r.gc.blobs.includes(d.id));
    assert.equal(existsSync(store.paths.blob(d.id)), false);
    assert.equal(existsSync(store.paths.layerDir(d.diffIDs[0] as string)), false);
  });

  it('concurrent loads of one archive both succeed and unpack each layer once', async () => {
    const d = await dockerArchive({ tags: ['race:1'], layers: [[{ name: 'r1', data: '1' }], [{ name: 'r2', data: '2' }]] });
    const path = file();
    await writeTar(path, d.entries);
    const [a, b] = await Promise.all([loadImageArchive(store, path), loadImageArchive(store, path)]);
    assert.deepEqual([a[0]?.id, b[0]?.id], [d.id, d.id]);
    for (const diffID of d.diffIDs) assert.deepEqual(readdirSync(store.paths.layerDir(diffID)).sort(), ['fs', 'layer.json']);
    assert.equal(readdirSync(store.paths.tmpDir).length, 0);
  });

  it('lists every image sorted by name', async () => {
    const names = (await store.list()).map((r) => r.name);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('docker.io/library/busybox:latest'));
  });
});
