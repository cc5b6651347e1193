// nerdctl's file store semantics: directory flock visible to flock(1), atomic 0600 writes, 0700 dirs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore, validatePathComponent } from './json-store.js';
import type { LockedStore } from './json-store.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-jsonstore-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('FileStore', () => {
  it('locks the root directory itself, as nerdctl does', async () => {
    const store = new FileStore(join(dir, 'names', 'default'));
    await store.withLock(async () => {
      assert.equal(spawnSync('flock', ['-n', store.root, 'true']).status, 1, 'flock(1) got the lock while we held it');
    });
    assert.equal(spawnSync('flock', ['-n', store.root, 'true']).status, 0);
  });

  it('sets atomically with 0600 files and 0700 groups, leaving no temp file', async () => {
    const store = new FileStore(join(dir, 'etchosts', 'default'));
    await store.withLock(async (tx) => {
      await tx.set('{"ID":"a"}', 'abc', 'meta.json');
      assert.equal((await tx.get('abc', 'meta.json'))?.toString(), '{"ID":"a"}');
      assert.equal((await stat(tx.location('abc'))).mode & 0o777, 0o700);
      assert.equal((await stat(tx.location('abc', 'meta.json'))).mode & 0o777, 0o600);
      assert.deepEqual(await readdir(tx.location('abc')), ['meta.json']);
    });
    assert.equal((await stat(store.root)).mode & 0o777, 0o700);
  });

  it('lists sorted entries without .tmp- leftovers; get/delete report missing keys', async () => {
    const store = new FileStore(join(dir, 'list'));
    await store.withLock(async (tx) => {
      await tx.set('1', 'b');
      await tx.set('2', 'a');
      await writeFile(join(tx.root, '.tmp-a.123'), 'x');
      assert.deepEqual(await tx.list(), ['a', 'b']);
      assert.deepEqual(await tx.list('missing'), []);
      assert.equal(await tx.get('nope'), undefined);
      assert.equal(await tx.delete('nope'), false);
      assert.equal(await tx.delete('a'), true);
      await tx.move(['b'], ['c']);
      assert.deepEqual(await tx.list(), ['c']);
    });
  });

  it('refuses keys that would leave the store and use after release', async () => {
    const store = new FileStore(join(dir, 'keys'));
    let kept: LockedStore | undefined;
    await store.withLock(async (tx) => {
      kept = tx;
      for (const bad of ['..', '.', '', 'a/b', 'a\nb', 'a\0b']) {
        await assert.rejects(tx.set('x', bad), /invalid store key/);
      }
      await assert.rejects(tx.delete(), /refusing to remove the store root/);
    });
    assert.throws(() => kept?.location('x'), /used after its lock was released/);
    assert.throws(() => validatePathComponent('../etc'), /one non-empty path segment/);
  });
});
