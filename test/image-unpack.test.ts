// Layer unpacking on its own: file types and modes, whiteouts in overlayfs's format, and the
// hostile layers that must not write outside the layer root.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { digestLayer, unpackLayer } from '../src/lib/image/layer-unpack.js';
import { OPAQUE_XATTR, lgetxattr } from '../src/lib/image/native.js';
import { tarBuffer, type TarEntry } from './helpers/busybox-image.js';
import { tempDir } from './helpers/host.js';

const isRoot = process.getuid?.() === 0;

describe('layer unpack', () => {
  let work: string;
  let removeWork: () => Promise<void>;
  let n = 0;

  before(async () => {
    ({ path: work, remove: removeWork } = await tempDir('image-unpack'));
  });
  after(async () => removeWork());

  async function unpack(entries: TarEntry[], gzip = false) {
    const dest = join(work, `l${n++}`);
    await mkdir(dest);
    const tar = await tarBuffer(entries);
    const result = await unpackLayer(Readable.from([gzip ? gzipSync(tar) : tar]), dest, 'test layer');
    return { dest, result, tar };
  }

  it('writes files, dirs, symlinks and hard links with their modes; reports the diffID of the plain tar', async () => {
    const { dest, result, tar } = await unpack(
      [
        { name: './', type: 'directory', mode: 0o755 },
        { name: 'bin/', type: 'directory' },
        { name: 'bin/tool', data: '#!/bin/sh\n', mode: 0o4755 },
        { name: 'bin/alias', type: 'link', linkname: 'bin/tool' },
        { name: 'bin/sh', type: 'symlink', linkname: '/bin/tool' },
        { name: 'ro/', type: 'directory', mode: 0o555 },
        { name: 'ro/f', data: 'x' },
        { name: 'deep/er/file', data: 'implicit parents' },
        { name: 'tmp/', type: 'directory', mode: 0o1777 },
      ],
      true,
    );
    assert.equal(result.diffID, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    assert.equal(result.size, 10 + 1 + 16);
    assert.equal(statSync(join(dest, 'bin/tool')).mode & 0o7777, 0o4755);
    assert.equal(statSync(join(dest, 'bin/alias')).ino, statSync(join(dest, 'bin/tool')).ino);
    assert.equal(readlinkSync(join(dest, 'bin/sh')), '/bin/tool');
    assert.equal(statSync(join(dest, 'ro')).mode & 0o7777, 0o555);
    assert.equal(readFileSync(join(dest, 'ro/f'), 'utf8'), 'x');
    assert.equal(statSync(join(dest, 'deep/er')).mode & 0o7777, 0o755);
    assert.equal(statSync(join(dest, 'tmp')).mode & 0o7777, 0o1777);
    assert.equal(statSync(join(dest, 'bin/tool')).mtime.toISOString(), '2024-01-01T00:00:00.000Z');
  });

  it('a later entry of the same name replaces the earlier one', async () => {
    const { dest } = await unpack([
      { name: 'a', data: 'first' },
      { name: 'a', type: 'symlink', linkname: 'b' },
      { name: 'd/x', data: '1' },
      { name: 'd', data: 'now a file' },
    ]);
    assert.equal(readlinkSync(join(dest, 'a')), 'b');
    assert.equal(readFileSync(join(dest, 'd'), 'utf8'), 'now a file');
  });

  it('digestLayer hashes without writing and agrees with unpackLayer', async () => {
    const tar = await tarBuffer([{ name: 'f', data: 'abc' }]);
    const d = await digestLayer(Readable.from([gzipSync(tar)]), 'x');
    assert.equal(d.diffID, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    assert.equal(d.tarBytes, tar.length);
  });

  it('turns .wh. files into 0:0 char devices and .wh..wh..opq into the opaque xattr', { skip: isRoot ? undefined : 'needs root (mknod, trusted.* xattrs)' }, async () => {
    const { dest } = await unpack([
      { name: 'a/', type: 'directory' },
      { name: 'a/.wh.gone', data: '' },
      { name: 'b/.wh..wh..opq', data: '' },
      { name: 'b/new', data: 'n' },
      { name: '.wh.topfile', data: '' },
      // A whiteout then a directory of the same name: the directory must hide the lower one.
      { name: '.wh.c', data: '' },
      { name: 'c/', type: 'directory' },
      // A file of this layer then its whiteout: the file stays (whiteouts hide lower layers only).
      { name: 'keep', data: 'k' },
      { name: '.wh.keep', data: '' },
      { name: 'x/.wh..wh.plnk', data: '' },
    ]);
    const gone = lstatSync(join(dest, 'a/gone'));
    assert.ok(gone.isCharacterDevice());
    assert.equal(gone.rdev, 0);
    assert.ok(lstatSync(join(dest, 'topfile')).isCharacterDevice());
    assert.equal(lgetxattr(join(dest, 'b'), OPAQUE_XATTR)?.toString(), 'y');
    assert.equal(lgetxattr(join(dest, 'a'), OPAQUE_XATTR), undefined);
    assert.ok(statSync(join(dest, 'c')).isDirectory());
    assert.equal(lgetxattr(join(dest, 'c'), OPAQUE_XATTR)?.toString(), 'y');
    assert.equal(readFileSync(join(dest, 'keep'), 'utf8'), 'k');
    assert.equal(existsSync(join(dest, 'a/.wh.gone')), false);
    assert.equal(existsSync(join(dest, 'x/.wh..wh.plnk')), false);
  });

  describe('hostile layers are refused and write nothing outside', () => {
    const outside = () => join(work, 'outside');
    before(async () => mkdir(outside()));

    const cases: Array<[string, () => TarEntry[], RegExp]> = [
      ['".." in a path', () => [{ name: '../outside/pwned', data: 'x' }], /escapes the layer root/],
      ['".." deeper in a path', () => [{ name: 'a/../../outside/pwned', data: 'x' }], /escapes the layer root/],
      ['a file below a symlink to outside', () => [{ name: 'evil', type: 'symlink', linkname: outside() }, { name: 'evil/pwned', data: 'x' }], /is a symlink .* refusing to write through it/],
      ['a file below a relative symlink', () => [{ name: 'evil', type: 'symlink', linkname: '../outside' }, { name: 'evil/pwned', data: 'x' }], /is a symlink/],
      ['a hard link to outside', () => [{ name: 'h', type: 'link', linkname: '../outside/target' }], /escapes the layer root/],
      ['a hard link through a symlink', () => [{ name: 'evil', type: 'symlink', linkname: outside() }, { name: 'h', type: 'link', linkname: 'evil/target' }], /hard link target/],
      ['a whiteout through a symlink', () => [{ name: 'evil', type: 'symlink', linkname: outside() }, { name: 'evil/.wh.target', data: '' }], /is a symlink/],
    ];
    for (const [what, entries, want] of cases) {
      it(what, async () => {
        await writeFile(join(outside(), 'target'), 'host file');
        await assert.rejects(unpack(entries()), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_ARG' && want.test(err.message) && err.message.startsWith('test layer:'));
        assert.equal(existsSync(join(outside(), 'pwned')), false);
        assert.equal(readFileSync(join(outside(), 'target'), 'utf8'), 'host file');
      });
    }

    it('not a tar at all', async () => {
      const dest = join(work, `l${n++}`);
      await mkdir(dest);
      await assert.rejects(unpackLayer(Readable.from([Buffer.alloc(1024, 7)]), dest, 'test layer'), /test layer: not a valid layer tar: invalid tar header/);
    });
  });
});
