// The result cache is byte-compatible with libcni's cniCacheV1 files, both ways.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultCache } from './cache.js';

// A cache line as libcni 1.1.2 wrote it with Debian's plugins.
const GO_WRITTEN = {
  kind: 'cniCacheV1',
  containerId: 'ctr-abc',
  config: Buffer.from('{\n  "cniVersion": "1.0.0",\n  "name": "labnet"\n}').toString('base64'),
  ifName: 'eth0',
  networkName: 'labnet',
  cniArgs: [['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'p1']],
  capabilityArgs: { bandwidth: { ingressRate: 1 }, mac: 'c2:11:22:33:44:55', portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }] },
  result: { cniVersion: '1.0.0', dns: {}, interfaces: [{ name: 'eth0' }], ips: [{ interface: 0, address: '10.77.0.2/24' }], routes: [] },
};

let dir: string;
let cache: ResultCache;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-cache-'));
  cache = new ResultCache(dir);
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('ResultCache', () => {
  it('writes the fields in Go order, omitting empty ones, in a 0700 dir with a 0600 file', async () => {
    const bytes = Buffer.from('{"name":"net1"}');
    await cache.write({ name: 'net1', bytes }, { containerID: 'c1', netns: '', ifName: 'eth0' }, { cniVersion: '1.0.0' });
    const file = join(dir, 'results', 'net1-c1-eth0');
    assert.equal(await readFile(file, 'utf8'), `{"kind":"cniCacheV1","containerId":"c1","config":"${bytes.toString('base64')}","ifName":"eth0","networkName":"net1","result":{"cniVersion":"1.0.0"}}`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'results'))).mode & 0o777, 0o700);
    // No temp files left behind by the atomic write.
    assert.deepEqual((await readdir(join(dir, 'results'))).filter((f) => f.startsWith('.tmp')), []);
  });

  it('reads a file libcni wrote, and our file carries every key libcni reads', async () => {
    await mkdir(join(dir, 'results'), { recursive: true });
    await writeFile(join(dir, 'results', 'labnet-ctr-abc-eth0'), JSON.stringify(GO_WRITTEN));
    const entry = await cache.read('labnet', 'ctr-abc', 'eth0');
    assert.equal(entry?.config.toString(), '{\n  "cniVersion": "1.0.0",\n  "name": "labnet"\n}');
    assert.deepEqual(entry?.cniArgs, GO_WRITTEN.cniArgs);
    assert.deepEqual(entry?.capabilityArgs, GO_WRITTEN.capabilityArgs);
    assert.deepEqual(entry?.result, GO_WRITTEN.result);

    // Round trip: what we write from that entry is the same JSON libcni wrote.
    const again = new ResultCache(join(dir, 'again'));
    await again.write({ name: 'labnet', bytes: entry?.config ?? Buffer.alloc(0) }, { containerID: 'ctr-abc', netns: '', ifName: 'eth0', args: GO_WRITTEN.cniArgs as Array<[string, string]>, capabilityArgs: GO_WRITTEN.capabilityArgs }, GO_WRITTEN.result);
    assert.equal(await readFile(join(dir, 'again', 'results', 'labnet-ctr-abc-eth0'), 'utf8'), JSON.stringify(GO_WRITTEN));
  });

  it('treats a non-cniCacheV1 file as a bare legacy result', async () => {
    await writeFile(join(dir, 'results', 'old-c9-eth0'), '{"cniVersion":"0.3.1","ips":[]}');
    assert.deepEqual((await cache.read('old', 'c9', 'eth0'))?.result, { cniVersion: '0.3.1', ips: [] });
  });

  it('returns undefined for a missing entry and an error for a corrupt one', async () => {
    assert.equal(await cache.read('none', 'c', 'eth0'), undefined);
    await writeFile(join(dir, 'results', 'bad-c-eth0'), '');
    await assert.rejects(cache.read('bad', 'c', 'eth0'), /failed to unmarshal cached network "bad" config/);
  });

  it('lists attachments, per container, skipping junk and mismatched IDs', async () => {
    const sub = new ResultCache(join(dir, 'list'));
    await sub.write({ name: 'net-a', bytes: Buffer.from('{}') }, { containerID: 'ctr-1', netns: '/n', ifName: 'eth0' }, undefined);
    await sub.write({ name: 'net-a', bytes: Buffer.from('{}') }, { containerID: 'ctr-1', netns: '/n', ifName: 'eth1' }, undefined);
    await sub.write({ name: 'net-b', bytes: Buffer.from('{}') }, { containerID: 'ctr-2', netns: '/n', ifName: 'eth0' }, undefined);
    await writeFile(join(dir, 'list', 'results', 'junk-ctr-1-eth9'), 'not json');
    assert.equal((await sub.attachments()).length, 3);
    assert.deepEqual((await sub.attachments('ctr-1')).map((a) => `${a.network}/${a.ifName}/${a.netns}`), ['net-a/eth0//n', 'net-a/eth1//n']);
    assert.deepEqual(await new ResultCache(join(dir, 'nothing')).attachments(), []);
  });

  it('requires all three parts of the file name', () => {
    assert.throws(() => cache.filePath('', 'c', 'eth0'), /cache file path requires network name \(""\), container ID \("c"\), and interface name \("eth0"\)/);
  });
});
