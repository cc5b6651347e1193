// Networks made by createNetwork attach for real (root, Debian's plugins): bridge with an
// automatic subnet, static addresses through the `ips` capability, macvlan on a dummy parent;
// rm refuses while attached and then deletes the bridge, and only a bridge.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CniConfig } from '../src/lib/cni/api.js';
import { confListFromBytes } from '../src/lib/cni/conf.js';
import { createNetwork } from '../src/lib/network/create.js';
import { removeNetworks } from '../src/lib/network/remove.js';
import type { NetworkEnv } from '../src/lib/network/types.js';
import { CniCacheUsage } from '../src/lib/network/usage.js';
import { DEBIAN_PLUGINS, TestNetns, cniChains, deleteLink, linkExists, removeNewChains, rootSkipReason, rulesMentioning, sh, tempDir, uniqueTag, type ChainSnapshot } from './helpers/host.js';
import { addPlainLink, addressesIn, attachableList, freeTestBlock } from './helpers/network-host.js';

const skip = rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning', 'macvlan', 'static']);

describe('created networks attach for real', { skip }, () => {
  const tag = uniqueTag();
  const made = { netns: [] as TestNetns[], links: [] as string[] };
  let conf: Awaited<ReturnType<typeof tempDir>>;
  let cache: Awaited<ReturnType<typeof tempDir>>;
  let leases: Awaited<ReturnType<typeof tempDir>>;
  let chains: ChainSnapshot;
  let env: NetworkEnv;
  let cni: CniConfig;
  let block: string[];

  before(async () => {
    conf = await tempDir('netconf');
    cache = await tempDir('netcache');
    leases = await tempDir('netleases');
    chains = cniChains();
    block = freeTestBlock(3);
    env = { netconfPath: conf.path, namespace: 'test', pluginDirs: [DEBIAN_PLUGINS], usage: new CniCacheUsage(cache.path), autoSubnetStart: `${block[0]}.0/24` };
    cni = new CniConfig({ path: [DEBIAN_PLUGINS], cacheDir: cache.path });
  });

  after(async () => {
    for (const ns of made.netns) ns.remove();
    for (const l of made.links) deleteLink(l);
    removeNewChains(chains);
    for (const d of [conf, cache, leases]) await d?.remove();
    for (const ns of made.netns) assert.ok(!existsSync(ns.path), `netns ${ns.name} left behind`);
    for (const l of made.links) assert.ok(!linkExists(l), `link ${l} left behind`);
    assert.deepEqual(rulesMentioning(tag), []);
    for (const d of [conf, cache, leases]) assert.ok(!existsSync(d.path));
  });

  it('bridge, automatic subnet: the netns gets an address in it; rm refuses, then removes file and bridge', async () => {
    const name = `nn-${tag}-br`;
    const net = await createNetwork(env, { name });
    made.links.push(net.bridge ?? '');
    assert.deepEqual(net.subnets, [`${block[0]}.0/24`]);
    const ns = TestNetns.create(`nn-${tag}-a`);
    made.netns.push(ns);
    const rt = { containerID: `test-${tag}a`, netns: ns.path, ifName: 'eth0' };
    const list = await attachableList(net.path, leases.path);
    await cni.addNetworkList(list, rt);
    assert.equal(addressesIn(ns.addresses('eth0'), block[0] ?? '').length, 1, `eth0: ${ns.addresses('eth0').join(' ')}`);
    assert.ok(linkExists(net.bridge ?? ''));

    const refused = await removeNetworks(env, [name]);
    assert.deepEqual(refused.removed, []);
    assert.match(refused.errors[0]?.message ?? '', new RegExp(`is in use by container "test-${tag}a" \\(eth0\\)`));
    assert.ok(existsSync(net.path));

    await cni.delNetworkList(list, rt);
    const r = await removeNetworks(env, [name]);
    assert.deepEqual([r.removed, r.errors, r.warnings], [[name], [], []]);
    assert.ok(!existsSync(net.path));
    assert.ok(!linkExists(net.bridge ?? ''), 'the bridge the conflist named is gone');
    assert.deepEqual(rulesMentioning(rt.containerID), []);
  });

  it('static IPAM: the address comes from the ips capability', async () => {
    const net = await createNetwork(env, { name: `nn-${tag}-st`, ipamDriver: 'static' });
    made.links.push(net.bridge ?? '');
    const ns = TestNetns.create(`nn-${tag}-s`);
    made.netns.push(ns);
    const list = confListFromBytes(await readFile(net.path), net.path);
    const rt = { containerID: `test-${tag}s`, netns: ns.path, ifName: 'eth0', capabilityArgs: { ips: [`${block[1]}.7/24`] } };
    await cni.addNetworkList(list, rt);
    assert.deepEqual(ns.addresses('eth0').filter((a) => a.includes('.')), [`${block[1]}.7/24`]);
    await cni.delNetworkList(list, rt);
    assert.deepEqual((await removeNetworks(env, [net.name])).errors, []);
    assert.ok(!linkExists(net.bridge ?? ''));
  });

  it('macvlan on a parent link the test made (dummy, or veth where the kernel has no dummy)', async () => {
    const parent = `nnd${tag}`;
    const plain = addPlainLink(parent, `nne${tag}`);
    made.links.push(...plain.links);
    for (const l of plain.links) sh('ip', ['link', 'set', l, 'up']);
    const net = await createNetwork(env, { name: `nn-${tag}-mv`, driver: 'macvlan', options: [`parent=${parent}`, 'mode=bridge'], subnets: [`${block[2]}.0/24`] });
    const ns = TestNetns.create(`nn-${tag}-m`);
    made.netns.push(ns);
    const list = await attachableList(net.path, leases.path);
    const rt = { containerID: `test-${tag}m`, netns: ns.path, ifName: 'eth0' };
    await cni.addNetworkList(list, rt);
    assert.equal(addressesIn(ns.addresses('eth0'), block[2] ?? '').length, 1);
    assert.match(ns.exec(['ip', '-d', 'link', 'show', 'dev', 'eth0']), /macvlan mode bridge/);
    await cni.delNetworkList(list, rt);
    assert.deepEqual((await removeNetworks(env, [net.name])).errors, []);
    assert.ok(linkExists(parent), 'the parent is not the network\'s to delete');
  });

  it('rm deletes only a bridge: a non-bridge link with the bridge\'s name stays', async () => {
    const net = await createNetwork(env, { name: `nn-${tag}-k`, subnets: [`${block[2]}.0/25`] });
    const br = net.bridge ?? '';
    const plain = addPlainLink(br, `nnf${tag}`);
    made.links.push(...plain.links);
    const r = await removeNetworks(env, [net.name]);
    assert.deepEqual(r.removed, [net.name]);
    assert.match(r.warnings.join(), new RegExp(`left link ${br} in place: it is a ${plain.kind} link`));
    assert.ok(linkExists(br));
  });
});
