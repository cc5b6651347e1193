// The default usage source: live attachments in the libcni result cache.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultCache } from '../cni/cache.js';
import { CniCacheUsage } from './usage.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-usage-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

const RESULT = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'br-1' }, { name: 'veth1' }, { name: 'eth0', mac: '02:42:0a:04:01:05', sandbox: '/x' }],
  ips: [
    { address: '10.4.1.5/24', gateway: '10.4.1.1', interface: 2 },
    { address: 'fd00:1::5/64', interface: 2 },
  ],
};

describe('CniCacheUsage', () => {
  it('reports live attachments of the network with MAC and CIDR addresses; stale ones are ignored', async () => {
    const cache = new ResultCache(dir);
    const netns = join(dir, 'netns-live');
    await writeFile(netns, '');
    const bytes = Buffer.from('{}');
    await cache.write({ name: 'foo', bytes }, { containerID: 'default-aaa', netns, ifName: 'eth0' }, RESULT);
    await cache.write({ name: 'foo', bytes }, { containerID: 'default-bbb', netns: join(dir, 'gone'), ifName: 'eth0' }, RESULT);
    await cache.write({ name: 'bar', bytes }, { containerID: 'default-ccc', netns, ifName: 'eth1' }, RESULT);
    const usage = new CniCacheUsage(dir);
    assert.deepEqual(await usage.attachments('foo'), [{ containerID: 'default-aaa', ifName: 'eth0', mac: '02:42:0a:04:01:05', ipv4: '10.4.1.5/24', ipv6: 'fd00:1::5/64' }]);
    assert.deepEqual((await usage.attachments('bar')).map((a) => a.containerID), ['default-ccc']);
    assert.deepEqual(await usage.attachments('baz'), []);
    assert.deepEqual(await new CniCacheUsage(join(dir, 'none')).attachments('foo'), []);
  });
});
