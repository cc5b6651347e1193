// Data-root layout: nerdctl's address hash, the tree, path component validation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressHash, DataStoreLayout, defaultDataRoot, hashSocketPath, isIdentifier, openDataStore, resolveAddress, validateIdentifier } from './layout.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-layout-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('address hash', () => {
  it('is the first 8 hex of sha256 of the socket path (printf %s … | sha256sum)', () => {
    assert.equal(hashSocketPath('/run/containerd/containerd.sock'), '1935db59');
  });

  it('strips unix:// and falls back to the path as given when the socket is missing', async () => {
    const missing = join(dir, 'no', 'containerd.sock');
    assert.deepEqual(await resolveAddress(`unix://${missing}`), { path: missing, resolved: false });
    assert.equal(await addressHash(`unix://${missing}`), hashSocketPath(missing));
  });

  it('resolves symlinks like EvalSymlinks', async () => {
    const target = join(dir, 'real.sock');
    const link = join(dir, 'link.sock');
    await writeFile(target, '');
    await symlink(target, link);
    assert.equal(await addressHash(link), hashSocketPath(target));
    assert.equal(await addressHash(`unix://${link}`), hashSocketPath(target));
  });

  it('refuses an empty address', async () => {
    await assert.rejects(resolveAddress('unix://'), /invalid containerd address "unix:\/\/": it is empty/);
  });

  it('creates <dataRoot>/<hash> with mode 0700', async () => {
    const root = join(dir, 'data');
    const layout = await openDataStore(root, join(dir, 'absent.sock'));
    assert.equal(layout.root, join(root, hashSocketPath(join(dir, 'absent.sock'))));
    assert.equal((await stat(layout.root)).mode & 0o777, 0o700);
    assert.equal((await stat(root)).mode & 0o777, 0o700);
  });
});

describe('DataStoreLayout', () => {
  const l = new DataStoreLayout('/var/lib/nerdctl/1935db59');
  const id = '4f1e2d3c4b5a'.padEnd(64, '0');

  it('places every file where nerdctl does', () => {
    assert.equal(l.stateDir('default', id), `/var/lib/nerdctl/1935db59/containers/default/${id}`);
    assert.equal(l.resolvConfPath('default', id), `/var/lib/nerdctl/1935db59/containers/default/${id}/resolv.conf`);
    assert.equal(l.hostnamePath('default', id), `/var/lib/nerdctl/1935db59/containers/default/${id}/hostname`);
    assert.equal(l.networkConfigPath('default', id), `/var/lib/nerdctl/1935db59/containers/default/${id}/network-config.json`);
    assert.equal(l.lifecyclePath('default', id), `/var/lib/nerdctl/1935db59/containers/default/${id}/lifecycle.json`);
    assert.equal(l.hookLogPath('default', id, 'postStop'), `/var/lib/nerdctl/1935db59/containers/default/${id}/oci-hook.postStop.log`);
    assert.equal(l.etchostsRoot('k8s.io'), '/var/lib/nerdctl/1935db59/etchosts/k8s.io');
    assert.equal(l.hostsPath('default', id), `/var/lib/nerdctl/1935db59/etchosts/default/${id}/hosts`);
    assert.equal(l.hostsMetaPath('default', id), `/var/lib/nerdctl/1935db59/etchosts/default/${id}/meta.json`);
    assert.equal(l.namePath('default', 'k3s_server_1'), '/var/lib/nerdctl/1935db59/names/default/k3s_server_1');
  });

  for (const bad of ['', '..', '../x', 'a/b', 'a b', 'a\nb', 'a\0b', '.hidden', 'x..y', 'a'.repeat(77)]) {
    it(`rejects ${JSON.stringify(bad)} before it reaches a path`, () => {
      assert.throws(() => l.hostsPath('default', bad), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_ARG' && e.message.startsWith('invalid container ID'));
      assert.throws(() => l.namePath(bad, 'x'), /invalid namespace/);
      assert.equal(isIdentifier(bad), false);
    });
  }

  it('names the value and the fix', () => {
    assert.throws(() => validateIdentifier('container name', 'my web'), {
      message: 'invalid container name "my web": it may contain only letters, digits and single ".", "_" or "-" between them; use a value like "web-1"',
    });
  });
});

describe('defaultDataRoot', () => {
  it('is /var/lib/nerdctl rootful and $XDG_DATA_HOME/nerdctl rootless', () => {
    assert.equal(defaultDataRoot(), '/var/lib/nerdctl');
    assert.equal(defaultDataRoot({ rootless: true, env: { XDG_DATA_HOME: '/home/u/.data' } }), '/home/u/.data/nerdctl');
    assert.match(defaultDataRoot({ rootless: true, env: {} }), /\/\.local\/share\/nerdctl$/);
  });
});
