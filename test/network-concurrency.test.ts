// Concurrent `network create` from separate processes (the CLI) never writes two networks with
// one name or one subnet: planning happens under <netconf>/.nerdctl.lock.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakePluginDir } from './helpers/network-fakes.js';
import { tempDir } from './helpers/host.js';
import { nerdnet } from './helpers/network-cli.js';

describe('concurrent network create (8 processes)', () => {
  let conf: Awaited<ReturnType<typeof tempDir>>;
  let plugins: Awaited<ReturnType<typeof fakePluginDir>>;
  let global: string[];

  before(async () => {
    conf = await tempDir('concurrent');
    plugins = await fakePluginDir();
    global = ['--cni-netconfpath', conf.path, '--cni-path', plugins.dir, '--namespace', 'race'];
  });
  after(async () => {
    await conf.remove();
    await plugins.remove();
  });

  const subnetsOf = async (): Promise<Map<string, string>> => {
    const dir = join(conf.path, 'race');
    const out = new Map<string, string>();
    for (const f of (await readdir(dir)).filter((n) => n.endsWith('.conflist'))) {
      const raw = JSON.parse(await readFile(join(dir, f), 'utf8')) as { name: string; plugins: Array<{ ipam: { ranges: Array<Array<{ subnet: string }>> } }> };
      out.set(raw.name, raw.plugins[0]?.ipam.ranges[0]?.[0]?.subnet ?? '');
    }
    return out;
  };

  it('8 automatic subnets: 8 files, 8 distinct subnets', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => nerdnet([...global, 'network', 'create', `auto${i}`])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    for (const r of runs) assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
    const subnets = await subnetsOf();
    assert.equal(subnets.size, 8);
    assert.equal(new Set(subnets.values()).size, 8, JSON.stringify([...subnets]));
  });

  it('8 creators of one name: exactly one wins', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, () => nerdnet([...global, 'network', 'create', 'same'])));
    assert.equal(runs.filter((r) => r.code === 0).length, 1);
    for (const r of runs.filter((x) => x.code !== 0)) assert.match(r.stderr, /network with name same already exists/);
  });

  it('8 creators of one explicit subnet under different names: exactly one wins', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => nerdnet([...global, 'network', 'create', `fixed${i}`, '--subnet', '10.201.7.0/24'])));
    assert.equal(runs.filter((r) => r.code === 0).length, 1);
    for (const r of runs.filter((x) => x.code !== 0)) assert.match(r.stderr, /subnet 10\.201\.7\.0\/24 overlaps with network "fixed\d"/);
    assert.equal([...(await subnetsOf()).values()].filter((s) => s === '10.201.7.0/24').length, 1);
  });

  it('6 removers and 6 creators at once: no error, the removed are gone, all subnets distinct', async () => {
    const made = await Promise.all(Array.from({ length: 6 }, (_, i) => nerdnet([...global, 'network', 'create', `old${i}`])));
    for (const r of made) assert.equal(r.code, 0, r.stderr);
    const runs = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => nerdnet([...global, 'network', 'rm', `old${i}`])),
      ...Array.from({ length: 6 }, (_, i) => nerdnet([...global, 'network', 'create', `new${i}`])),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const subnets = await subnetsOf();
    assert.deepEqual([...subnets.keys()].filter((n) => n.startsWith('old')), []);
    assert.equal([...subnets.keys()].filter((n) => n.startsWith('new')).length, 6);
    assert.equal(new Set(subnets.values()).size, subnets.size, JSON.stringify([...subnets]));
  });
});
