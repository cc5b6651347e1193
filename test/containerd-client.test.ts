// The containerd client against a real, private containerd: version, the errors a user sees when
// containerd is not there or the API files are missing, and namespace separation.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ContainerdClient } from '../src/lib/containerd/client.js';
import { ContainerdError } from '../src/lib/containerd/errors.js';
import { getImage, listImages } from '../src/lib/containerd/images.js';
import { listNamespaces } from '../src/lib/containerd/namespaces.js';
import { NerdnetError } from '../src/lib/errors.js';
import { CONTAINERD, TestContainerd, containerdSkipReason } from './containerd-harness.js';

const skip = containerdSkipReason();

describe('containerd client', { skip }, () => {
  let ctrd: TestContainerd;
  let scratch: string;

  before(async () => {
    ctrd = await TestContainerd.start('client');
    scratch = await mkdtemp(join(tmpdir(), 'nerdnet-ctrd-client-'));
  });
  after(async () => {
    await ctrd?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('asks containerd its version over the unix socket, with or without unix://', async () => {
    const installed = /containerd \S+ (\S+)/.exec(spawnSync(CONTAINERD, ['--version'], { encoding: 'utf8' }).stdout)?.[1];
    assert.ok(installed, 'containerd --version prints its version');
    assert.equal((await ctrd.client().version()).version, installed);
    const viaUrl = ContainerdClient.open({ address: `unix://${ctrd.address}`, namespace: 'default' });
    try {
      assert.equal((await viaUrl.version()).version, installed);
    } finally {
      viaUrl.close();
    }
  });

  it('says containerd is not reachable, naming the address, when no socket is there', async () => {
    const address = join(scratch, 'missing.sock');
    const c = ContainerdClient.open({ address, namespace: 'default' });
    try {
      await assert.rejects(c.ping(), (err: unknown) => {
        assert.ok(NerdnetError.is(err));
        assert.equal(err.code, 'ERR_HOST');
        assert.equal(err.message, `containerd is not reachable at ${address}: no such socket; start containerd or pass --address`);
        return true;
      });
    } finally {
      c.close();
    }
  });

  it('says the connection is refused when a socket file has nothing listening', async () => {
    const address = join(scratch, 'stale.sock');
    // A socket file left behind by a server that died (as after a containerd crash): a child listens, then is killed.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(address)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.ok(existsSync(address), 'the dead server left its socket file');
    const c = ContainerdClient.open({ address, namespace: 'default' });
    try {
      await assert.rejects(c.ping(), (err: unknown) => {
        assert.ok(NerdnetError.is(err));
        assert.match(err.message, new RegExp(`^containerd is not reachable at ${address}: connection refused .*; start containerd or pass --address$`));
        return true;
      });
    } finally {
      c.close();
    }
  });

  it('names the Debian packages when the API .proto files are missing', async () => {
    const c = ContainerdClient.open({ address: ctrd.address, namespace: 'default', protoRoot: join(scratch, 'no-gocode') });
    try {
      await assert.rejects(c.version(), (err: unknown) => {
        assert.ok(NerdnetError.is(err));
        assert.equal(err.code, 'ERR_NOT_FOUND');
        assert.match(err.message, /containerd's API definitions are missing/);
        assert.match(err.message, /apt-get install golang-github-containerd-containerd-dev golang-github-gogo-protobuf-dev golang-github-gogo-googleapis-dev/);
        return true;
      });
    } finally {
      c.close();
    }
  });

  it('refuses a namespace that is not a containerd identifier and an address that is not a unix socket', () => {
    assert.throws(() => ContainerdClient.open({ address: ctrd.address, namespace: '../x' }), /invalid namespace "\.\.\/x"/);
    assert.throws(() => ctrd.client().withNamespace('a b'), /invalid namespace "a b"/);
    assert.throws(() => ContainerdClient.open({ address: 'tcp://127.0.0.1:1', namespace: 'default' }), /only unix sockets are supported/);
  });

  it("maps containerd's NOT_FOUND to ERR_NOT_FOUND", async () => {
    const c = ctrd.client('default');
    await assert.rejects(c.unary('images', 'Get', { name: 'docker.io/library/nothing:here' }), (err: unknown) => {
      assert.ok(err instanceof ContainerdError);
      assert.equal(err.code, 'ERR_NOT_FOUND');
      assert.equal(err.grpcName, 'NOT_FOUND');
      assert.match(err.message, /^containerd images\.Get: image "docker\.io\/library\/nothing:here": not found$/);
      return true;
    });
    assert.equal(await getImage(c, 'docker.io/library/nothing:here'), undefined);
  });

  it('keeps namespaces apart: an image loaded in one is not seen from another', async () => {
    const a = ctrd.client('nn-a');
    const b = a.withNamespace('nn-b');
    await ctrd.loadBusybox('nn-a');
    assert.deepEqual((await listImages(a)).map((i) => i.name), ['docker.io/library/busybox:latest']);
    assert.deepEqual(await listImages(b), []);
    // containerd's own CLI sees the same split.
    assert.match(ctrd.ctr(['images', 'ls', '-q'], 'nn-a').stdout, /^docker\.io\/library\/busybox:latest$/m);
    assert.equal(ctrd.ctr(['images', 'ls', '-q'], 'nn-b').stdout.trim(), '');
    assert.ok((await listNamespaces(a)).some((n) => n.name === 'nn-a'));
  });
});
