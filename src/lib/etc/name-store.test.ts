// The name store: names/<ns>/<name> = ID (no newline, 0600), conflicts name the holder.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshot } from '../../../test/fixtures/etc/tree.js';
import { DataStoreLayout } from '../store/layout.js';
import { NameStore } from './name-store.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
let dir: string;
let layout: DataStoreLayout;
let names: NameStore;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-names-'));
  layout = new DataStoreLayout(dir);
  names = new NameStore({ layout });
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('NameStore', () => {
  it('acquire writes the ID without newline, 0600, and no temp files', async () => {
    await names.acquire('default', 'web', A);
    assert.equal(await readFile(layout.namePath('default', 'web'), 'utf8'), A);
    assert.equal((await stat(layout.namePath('default', 'web'))).mode & 0o777, 0o600);
    assert.equal((await stat(layout.namesRoot('default'))).mode & 0o777, 0o700);
    assert.deepEqual(await readdir(layout.namesRoot('default')), ['web']);
    assert.equal(await names.lookup('default', 'web'), A);
  });

  it('a conflict names the container holding the name; the same ID may re-acquire', async () => {
    await assert.rejects(names.acquire('default', 'web', B), {
      code: 'ERR_ALREADY_EXISTS',
      message: `name "web" is already used by ID "${A}"; remove or rename that container, or choose another name`,
    });
    await names.acquire('default', 'web', A);
    await names.acquire('other', 'web', B);
    assert.equal(await names.lookup('other', 'web'), B);
  });

  it('rename moves the file atomically and checks both names', async () => {
    await names.acquire('default', 'db', B);
    await assert.rejects(names.rename('default', 'web', A, 'db'), { code: 'ERR_ALREADY_EXISTS', message: /name "db" is already used by ID "b{64}"/ });
    await assert.rejects(names.rename('default', 'web', B, 'x'), { code: 'ERR_IN_USE' });
    await assert.rejects(names.rename('default', 'nope', A, 'x'), { code: 'ERR_NOT_FOUND' });
    const { ino } = await stat(layout.namePath('default', 'web'));
    await names.rename('default', 'web', A, 'frontend');
    assert.equal((await stat(layout.namePath('default', 'frontend'))).ino, ino);
    assert.equal(await names.lookup('default', 'web'), undefined);
    assert.deepEqual([...(await names.list('default'))], [
      ['db', B],
      ['frontend', A],
    ]);
  });

  it('release frees only its own name; a missing name is fine', async () => {
    await assert.rejects(names.release('default', 'db', A), { code: 'ERR_IN_USE', message: /name "db" is used by ID "b{64}", not by "a{64}"/ });
    await names.release('default', 'db', B);
    await names.release('default', 'db', B);
    await names.release('default', '', B);
    assert.equal(await names.lookup('default', 'db'), undefined);
  });

  it('reads names written by nerdctl (trailing whitespace tolerated)', async () => {
    await writeFile(join(layout.namesRoot('default'), 'legacy'), `${B}\n`);
    assert.equal(await names.lookup('default', 'legacy'), B);
    await names.release('default', 'legacy', B);
  });

  it('refuses bad names and IDs before touching the store', async () => {
    const before = await snapshot(dir);
    for (const bad of ['../etc', 'a/b', 'a b', 'a\nb', 'a\0b', '..', '']) {
      await assert.rejects(names.acquire('default', bad, A), /invalid container name/);
      await assert.rejects(names.acquire('default', 'ok', bad), /invalid container ID/);
      await assert.rejects(names.acquire(bad, 'ok', A), /invalid namespace/);
    }
    await assert.rejects(names.rename('default', 'frontend', A, 'x/y'), /invalid container name "x\/y"/);
    assert.deepEqual(await snapshot(dir), before);
  });

  it('waits for a nerdctl holding flock on names/<ns>', async () => {
    const impatient = new NameStore({ layout, lockTimeoutMs: 100 });
    const holder = spawn('flock', ['-o', layout.namesRoot('default'), 'sleep', '5'], { stdio: 'ignore', detached: true });
    try {
      await new Promise((r) => setTimeout(r, 150));
      await assert.rejects(impatient.acquire('default', 'probe', A), { code: 'ERR_LOCK' });
    } finally {
      // Our own process group: flock(1) and its sleep.
      process.kill(-(holder.pid ?? 0));
      await new Promise((r) => holder.on('close', r));
    }
    await impatient.acquire('default', 'probe', A);
  });
});
