// Bad archives: each is refused with a message naming the archive and what is wrong, and the
// store is byte-for-byte what it was before (no layer, blob, name or temp dir left behind).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ImageStore, loadImageArchive } from '../src/lib/image/index.js';
import { busyboxImageArchive, busyboxSkipReason, dockerArchive, ociArchive, tarBuffer, writeTar, type TarEntry } from './helpers/busybox-image.js';
import { tempDir } from './helpers/host.js';

// Every path of the store with its type and content hash (mtimes left out on purpose).
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const rel = relative(root, p);
      if (st.isDirectory()) {
        out.push(`${rel}/ ${st.mode}`);
        walk(p);
      } else if (st.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(p)}`);
      else out.push(`${rel} ${st.mode} ${st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : st.rdev}`);
    }
  };
  walk(root);
  return out;
}

describe('bad image archives', { skip: busyboxSkipReason() }, () => {
  let work: string;
  let removeWork: () => Promise<void>;
  let store: ImageStore;
  let before_: string[];
  let n = 0;

  before(async () => {
    ({ path: work, remove: removeWork } = await tempDir('image-bad'));
    store = await ImageStore.open({ dataRoot: join(work, 'root') });
    await loadImageArchive(store, await busyboxImageArchive());
    await mkdir(join(work, 'outside'));
    before_ = snapshot(store.paths.root);
  });
  after(async () => removeWork());

  async function expectRefused(data: Buffer | TarEntry[], want: RegExp, code = 'ERR_INVALID_ARG'): Promise<void> {
    const path = join(work, `bad${n++}.tar`);
    await writeFile(path, Buffer.isBuffer(data) ? data : await tarBuffer(data));
    await assert.rejects(loadImageArchive(store, path), (err: Error & { code?: string }) => {
      assert.equal(err.code, code, err.message);
      assert.ok(err.message.startsWith(`cannot load image archive ${path}: `), err.message);
      assert.match(err.message, want);
      return true;
    });
    assert.deepEqual(snapshot(store.paths.root), before_);
  }

  const oneLayer = (entries: TarEntry[] = [{ name: 'f', data: 'f' }]) => ociArchive({ imageName: 'bad:1', layers: [entries] });
  const replace = (entries: TarEntry[], name: string, data: string | Buffer) => entries.map((e) => (e.name === name ? { ...e, data } : e));

  it('a text file is not a tar', () => expectRefused(Buffer.from('root:x:0:0:root:/root:/bin/sh\n'.repeat(40)), /not a tar archive: invalid tar header/));

  it('an empty file holds no files', () => expectRefused(Buffer.alloc(0), /holds no files/));

  it('garbage after a gzip header', () => expectRefused(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(600, 1)]), /bad gzip data|not a tar archive/));

  it('a truncated docker save', async () => {
    const full = readFileSync(await busyboxImageArchive());
    await expectRefused(full.subarray(0, Math.floor(full.length / 2)), /unexpected end of data|invalid tar header/);
  });

  it('a tar that is no image archive', () => expectRefused([{ name: 'hello.txt', data: 'hi' }], /not an image archive: it has neither manifest\.json .* nor index\.json \+ oci-layout/));

  it('index.json without oci-layout', async () => {
    const a = await oneLayer();
    await expectRefused(a.entries.filter((e) => e.name !== 'oci-layout'), /index\.json without an oci-layout/);
  });

  it('manifest.json that is not JSON', () => expectRefused([{ name: 'manifest.json', data: '[{"Config": ' }], /manifest\.json: docker save manifest is not JSON/));

  it('a blob whose content does not match its name', async () => {
    const a = await oneLayer();
    const layer = `blobs/sha256/${a.layerDigests[0]?.slice(7)}`;
    await expectRefused(replace(a.entries, layer, await tarBuffer([{ name: 'f', data: 'tampered' }])), new RegExp(`${layer}: content has digest sha256:[a-f0-9]{64}, not the sha256:[a-f0-9]{64} its name says`));
  });

  it('a layer whose uncompressed digest is not the config diff_id', async () => {
    const a = await ociArchive({ imageName: 'bad:1', layers: [[{ name: 'f', data: 'f' }]], mutateConfig: (c) => (c.rootfs.diff_ids = [`sha256:${'0'.repeat(64)}`]) });
    await expectRefused(a.entries, /uncompressed content has digest sha256:[a-f0-9]{64} but the image config says sha256:0{64}/);
  });

  it('a corrupt copy of a layer the store already has is still refused', async () => {
    const good = await dockerArchive({ tags: ['copy:1'], layers: [[{ name: 'f', data: 'f' }]] });
    const path = join(work, `good${n++}.tar`);
    await writeTar(path, good.entries);
    await loadImageArchive(store, path);
    before_ = snapshot(store.paths.root);
    await expectRefused(replace(good.entries, '0/layer.tar', await tarBuffer([{ name: 'f', data: 'g' }])), /0\/layer\.tar: uncompressed content has digest/);
  });

  it('a docker-archive config whose name is not its digest', async () => {
    const d = await dockerArchive({ tags: ['x:1'], layers: [[{ name: 'f', data: 'f' }]] });
    const cfg = `${d.id.slice(7)}.json`;
    await expectRefused(replace(d.entries, cfg, '{"rootfs":{"type":"layers","diff_ids":[]}}'), new RegExp(`${cfg}: content has digest`));
  });

  it('a missing layer blob', async () => {
    const a = await oneLayer();
    await expectRefused(a.entries.filter((e) => e.name !== `blobs/sha256/${a.layerDigests[0]?.slice(7)}`), /layer 1 sha256:[a-f0-9]{64} is missing/);
  });

  it('a descriptor size that does not match the blob', async () => {
    const a = await oneLayer();
    const index = JSON.parse(a.entries.find((e) => e.name === 'index.json')?.data as string) as { manifests: Array<{ size: number }> };
    (index.manifests[0] as { size: number }).size += 1;
    await expectRefused(replace(a.entries, 'index.json', JSON.stringify(index)), /manifest is \d+ bytes but its descriptor says \d+/);
  });

  it('an unsupported layer media type (zstd)', async () => {
    const a = await ociArchive({ imageName: 'bad:1', layerMediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', layers: [[{ name: 'f', data: 'f' }]] });
    await expectRefused(a.entries, /layer 1 of manifest sha256:[a-f0-9]{64} .* unsupported media type "application\/vnd\.oci\.image\.layer\.v1\.tar\+zstd"/);
  });

  it('an invalid name in the archive', async () => {
    const d = await dockerArchive({ tags: ['Upper:Case'], layers: [[{ name: 'f', data: 'f' }]] });
    await expectRefused(d.entries, /RepoTags: invalid image reference "Upper:Case"/);
  });

  it('a layer escaping its root, even as the second layer', async () => {
    const a = await ociArchive({ imageName: 'bad:1', layers: [[{ name: 'ok', data: 'ok' }], [{ name: '../../../../outside/pwned', data: 'x' }]] });
    await expectRefused(a.entries, /escapes the layer root/);
    assert.equal(existsSync(join(work, 'outside', 'pwned')), false);
  });

  it('a layer writing through a symlink to the host', async () => {
    const a = await oneLayer([{ name: 'evil', type: 'symlink', linkname: join(work, 'outside') }, { name: 'evil/pwned', data: 'x' }]);
    await expectRefused(a.entries, /"evil" is a symlink/);
    assert.equal(existsSync(join(work, 'outside', 'pwned')), false);
  });

  it('a missing archive file is ERR_NOT_FOUND', async () => {
    await assert.rejects(loadImageArchive(store, join(work, 'nope.tar')), (err: Error & { code?: string }) => err.code === 'ERR_NOT_FOUND' && err.message.includes('nope.tar does not exist'));
    assert.deepEqual(snapshot(store.paths.root), before_);
  });
});
