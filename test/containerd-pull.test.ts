// The containerd backend pulls too: `nerdnet --backend containerd pull` from the test's own
// docker-registry on 127.0.0.1 into a private containerd (content store, image service, unpacked
// snapshot), visible to `ctr images ls`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { busyboxImageArchive } from './helpers/busybox-image.js';
import { registrySkipReason, skopeoCopy, startRegistry, type TestRegistry } from './helpers/registry.js';
import { TestContainerd, containerdSkipReason } from './containerd-harness.js';

const BUNDLE = fileURLToPath(new URL('../dist/nerdnet.js', import.meta.url));

describe('pull with the containerd backend', { skip: containerdSkipReason() ?? registrySkipReason(), timeout: 300_000 }, () => {
  let ctrd: TestContainerd;
  let reg: TestRegistry;
  let work: string;

  const cd = (args: string[]) => {
    const r = spawnSync(process.execPath, [BUNDLE, '--data-root', join(work, 'data'), '--backend', 'containerd', '--address', ctrd.address, '--namespace', 'pull', ...args], { encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`);
    work = await mkdtemp(join(tmpdir(), 'nerdnet-ctrd-pull-'));
    reg = await startRegistry(join(work, 'registry'));
    ctrd = await TestContainerd.start('pull');
    skopeoCopy(`docker-archive:${await busyboxImageArchive()}`, `docker://${reg.host}/test/busybox:1`);
  });
  after(async () => {
    await reg?.stop();
    await ctrd?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('pull puts the image into containerd (ctr images ls sees it), not into the data root', () => {
    const ref = `${reg.host}/test/busybox:1`;
    const r = cd(['pull', ref]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${ref}\n`);
    assert.match(r.stderr, /Pull complete/);
    assert.match(ctrd.ctr(['images', 'ls', '-q'], 'pull').stdout, new RegExp(`^${ref.replace(/\./g, '\\.')}$`, 'm'));
    assert.equal(existsSync(join(work, 'data', 'nerdnet', 'images')), false, "nerdnet's own image store is not used");
    const ls = cd(['images', '--format', '{{.Repository}} {{.Tag}}']);
    assert.equal(ls.stdout, `${reg.host}/test/busybox 1\n`);
    const missing = cd(['pull', `${reg.host}/test/nothing:1`]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /manifest unknown/);
  });
});
