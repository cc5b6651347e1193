// `nerdnet --backend containerd image load|ls|inspect|rm` as a user runs them (the built bundle, so
// the lazily loaded gRPC client is proven to work bundled), against a private containerd.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { busyboxImageArchive } from './helpers/busybox-image.js';
import { TestContainerd, containerdSkipReason } from './containerd-harness.js';

const BUNDLE = fileURLToPath(new URL('../dist/nerdnet.js', import.meta.url));

describe('nerdnet image with the containerd backend (CLI)', { skip: containerdSkipReason() }, () => {
  let ctrd: TestContainerd;
  let work: string;
  let archive: string;

  const nerdnet = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [BUNDLE, '--data-root', join(work, 'data'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cd = (args: string[]) => nerdnet(['--backend', 'containerd', '--address', ctrd.address, '--namespace', 'cli', ...args]);

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`);
    ctrd = await TestContainerd.start('image-cli');
    work = await mkdtemp(join(tmpdir(), 'nerdnet-ctrd-image-cli-'));
    archive = await busyboxImageArchive();
  });
  after(async () => {
    await ctrd?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('load -i puts the image into containerd (ctr sees it), not into the data root', () => {
    const load = cd(['load', '-i', archive]);
    assert.equal(load.status, 0, load.stderr);
    assert.equal(load.stdout, 'Loaded image: busybox:latest\n');
    assert.match(ctrd.ctr(['images', 'ls', '-q'], 'cli').stdout, /^docker\.io\/library\/busybox:latest$/m);
    assert.equal(existsSync(join(work, 'data', 'nerdnet', 'images')), false, "nerdnet's own image store is not used");
  });

  it('images and inspect read containerd, in the namespace given; CONTAINERD_* env works too', () => {
    const ls = cd(['images']);
    assert.equal(ls.status, 0, ls.stderr);
    const [header, row, extra] = ls.stdout.split('\n');
    assert.equal(header, 'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE');
    assert.match(row ?? '', /^busybox {6}latest {4}[a-f0-9]{12} {3}\d+ \w+ ago {3}\d+(\.\d+)?[kM]B$/);
    assert.equal(extra, '');
    const viaEnv = nerdnet(['images', '-q'], { NERDNET_BACKEND: 'containerd', CONTAINERD_ADDRESS: ctrd.address, CONTAINERD_NAMESPACE: 'cli' });
    assert.equal(viaEnv.status, 0, viaEnv.stderr);
    assert.match(viaEnv.stdout, /^[a-f0-9]{12}\n$/);
    const other = nerdnet(['--backend', 'containerd', '--address', ctrd.address, '--namespace', 'other', 'images', '-q']);
    assert.equal(other.stdout, '');
    const inspect = cd(['image', 'inspect', 'busybox']);
    assert.equal(inspect.status, 0, inspect.stderr);
    const [doc] = JSON.parse(inspect.stdout) as Array<{ RepoTags: string[]; Config: { Cmd: string[] }; Id: string }>;
    assert.deepEqual(doc?.RepoTags, ['busybox:latest']);
    assert.deepEqual(doc?.Config.Cmd, ['sh']);
    assert.match(viaEnv.stdout.trim(), new RegExp(`^${doc?.Id.slice(7, 19)}$`));
  });

  it('rmi untags and deletes in containerd', () => {
    const rmi = cd(['rmi', 'busybox']);
    assert.equal(rmi.status, 0, rmi.stderr);
    assert.match(rmi.stdout, /^Untagged: busybox:latest\nDeleted: sha256:[a-f0-9]{64}\n$/);
    assert.equal(ctrd.ctr(['images', 'ls', '-q'], 'cli').stdout, '');
  });

  it('says containerd is not reachable, with the address, and exits 1', () => {
    const address = join(work, 'no.sock');
    const r = nerdnet(['--backend', 'containerd', '--address', address, 'load', '-i', archive]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `nerdnet: containerd is not reachable at ${address}: no such socket; start containerd or pass --address\n`);
  });
});
