// The CNI library against Debian's real plugins, as root, in network namespaces the test makes:
// the nerdctl chain ADD -> CHECK -> DEL, portmap rules, loopback, static IPAM, macvlan on a dummy
// parent, two networks at once and a rollback. Everything made here is removed and audited.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CniConfig } from '../src/lib/cni/api.js';
import { assignInterfaces, teardownNetworks, setupNetworks } from '../src/lib/cni/attach.js';
import { confListFromBytes, type NetworkConfigList } from '../src/lib/cni/conf.js';
import { resultToJSON } from '../src/lib/cni/result.js';
import {
  DEBIAN_PLUGINS,
  TestNetns,
  cniChains,
  createParentLink,
  deleteLink,
  hostVethsOf,
  linkExists,
  removeNewChains,
  rootSkipReason,
  rulesMentioning,
  shOk,
  tempDir,
  testSubnet,
  uniqueTag,
  type ChainSnapshot,
} from './helpers/host.js';

const skip = rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning', 'loopback', 'static', 'macvlan']);

describe('CNI library with Debian plugins', { skip }, () => {
  const tag = uniqueTag();
  const made: { netns: TestNetns[]; links: string[]; dirs: Array<() => Promise<void>> } = { netns: [], links: [], dirs: [] };
  let chainsBefore: ChainSnapshot;
  let work: string;
  let cni: CniConfig;

  // The nerdctl plugin chain on a test bridge and subnet, leases in the test dir.
  function nerdctlChain(name: string, bridge: string, subnet: string, gateway: string, extra: Record<string, unknown> = {}): NetworkConfigList {
    made.links.push(bridge);
    return confListFromBytes(
      Buffer.from(
        JSON.stringify({
          cniVersion: '1.0.0',
          name,
          ...extra,
          plugins: [
            {
              type: 'bridge',
              bridge,
              isGateway: true,
              ipMasq: true,
              hairpinMode: true,
              ipam: { type: 'host-local', ranges: [[{ subnet, gateway }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(work, 'leases') },
            },
            { type: 'portmap', capabilities: { portMappings: true } },
            { type: 'firewall', ingressPolicy: 'same-bridge' },
            { type: 'tuning' },
          ],
        }),
      ),
    );
  }

  function netns(label: string): TestNetns {
    const ns = TestNetns.create(`nnt-${tag}-${label}`);
    made.netns.push(ns);
    return ns;
  }

  const leaseFiles = (net: string) => {
    const dir = join(work, 'leases', net);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip')) : [];
  };

  before(async () => {
    chainsBefore = cniChains();
    const t = await tempDir('cni-real');
    work = t.path;
    made.dirs.push(t.remove);
    cni = new CniConfig({ path: [DEBIAN_PLUGINS], cacheDir: join(work, 'cache'), timeoutMs: 30_000 });
  });

  after(async () => {
    for (const ns of made.netns) ns.remove();
    for (const l of made.links) deleteLink(l);
    removeNewChains(chainsBefore);
    for (const r of made.dirs) await r();
    // Nothing of this test is left on the host.
    for (const ns of made.netns) assert.equal(existsSync(ns.path), false, `netns ${ns.name} left`);
    for (const l of made.links) assert.equal(linkExists(l), false, `link ${l} left`);
    assert.deepEqual(rulesMentioning(tag), []);
  });

  it('nerdctl chain: ADD sets up interface, route, NAT chain, lease and cache; CHECK passes; DEL removes them', async () => {
    const { subnet, gateway, prefix } = testSubnet();
    const name = `nnt-${tag}-a`;
    const list = nerdctlChain(name, `nnb${tag}a`, subnet, gateway);
    const ns = netns('a');
    const rt = { containerID: `nnt-${tag}-ctr-a`, netns: ns.path, ifName: 'eth0' };

    const result = await cni.addNetworkList(list, rt);
    const json = resultToJSON(result) as { ips: Array<{ address: string; gateway: string; interface: number }>; interfaces: Array<{ name: string; sandbox?: string }> };
    const addr = json.ips[0]?.address ?? '';
    assert.ok(addr.startsWith(`${prefix}.`), `address ${addr} in ${subnet}`);
    assert.equal(json.ips[0]?.gateway, gateway);
    assert.equal(json.interfaces[json.ips[0]?.interface ?? -1]?.name, 'eth0');
    assert.deepEqual(ns.addresses('eth0'), [addr]);
    assert.match(ns.exec(['ip', 'route', 'show', 'default']), new RegExp(`default via ${gateway.replace(/\./g, '\\.')} dev eth0`));
    assert.equal(hostVethsOf(ns).length, 1);
    assert.ok(rulesMentioning(rt.containerID).some((r) => r.startsWith('nat:')), 'bridge ipMasq chain names the container');
    assert.deepEqual(leaseFiles(name), [addr.split('/')[0]]);
    assert.ok(existsSync(join(work, 'cache', 'results', `${name}-${rt.containerID}-eth0`)));
    // The container reaches its gateway on the bridge.
    ns.ping(gateway);

    await cni.checkNetworkList(list, rt);

    await cni.delNetworkList(list, rt);
    assert.equal(ns.hasLink('eth0'), false);
    assert.deepEqual(hostVethsOf(ns), []);
    assert.deepEqual(rulesMentioning(rt.containerID), []);
    assert.deepEqual(leaseFiles(name), []);
    assert.equal(existsSync(join(work, 'cache', 'results', `${name}-${rt.containerID}-eth0`)), false);
    // DEL is idempotent.
    await cni.delNetworkList(list, rt);
  });

  it('portmap: DNAT rules exist while attached and go with DEL (capability args reused from the cache)', async () => {
    const { subnet, gateway } = testSubnet();
    const name = `nnt-${tag}-p`;
    const list = nerdctlChain(name, `nnb${tag}p`, subnet, gateway);
    const ns = netns('p');
    const rt = {
      containerID: `nnt-${tag}-ctr-p`,
      netns: ns.path,
      ifName: 'eth0',
      capabilityArgs: { portMappings: [{ hostPort: 18080 + Math.floor(Math.random() * 1000), containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }] },
    };
    await cni.addNetworkList(list, rt);
    const dnat = rulesMentioning(rt.containerID).filter((r) => r.includes('CNI-DN-'));
    assert.ok(dnat.length > 0, 'a CNI-DN chain names the container');
    // Teardown as a runtime does after a restart: capability args come back from the cache.
    const cached = await cni.getNetworkListCachedConfig(list, { containerID: rt.containerID, netns: rt.netns, ifName: 'eth0' });
    assert.deepEqual(cached?.rt.capabilityArgs, rt.capabilityArgs);
    // A caller that no longer has the mappings (cnitool's `del` without CAP_ARGS) still removes them.
    await cni.delNetworkList(list, { containerID: rt.containerID, netns: rt.netns, ifName: 'eth0' });
    assert.deepEqual(rulesMentioning(rt.containerID), []);
  });

  it('loopback: lo comes up with 127.0.0.1', async () => {
    const ns = netns('lo');
    const list = confListFromBytes(Buffer.from('{"cniVersion":"0.3.1","name":"cni-loopback","plugins":[{"type":"loopback"}]}'));
    const result = resultToJSON(await cni.addNetworkList(list, { containerID: `nnt-${tag}-lo`, netns: ns.path, ifName: 'lo' })) as { ips: Array<{ address: string }> };
    assert.ok(result.ips.some((i) => i.address === '127.0.0.1/8'));
    ns.ping('127.0.0.1');
    await cni.delNetworkList(list, { containerID: `nnt-${tag}-lo`, netns: ns.path, ifName: 'lo' });
  });

  it('static IPAM: the address comes from the ips capability', async () => {
    const { subnet, prefix } = testSubnet();
    const bridge = `nnb${tag}s`;
    made.links.push(bridge);
    const ns = netns('s');
    const list = confListFromBytes(
      Buffer.from(JSON.stringify({ cniVersion: '1.0.0', name: `nnt-${tag}-s`, plugins: [{ type: 'bridge', bridge, capabilities: { ips: true }, ipam: { type: 'static' } }] })),
    );
    const rt = { containerID: `nnt-${tag}-ctr-s`, netns: ns.path, ifName: 'eth0', capabilityArgs: { ips: [`${prefix}.77/24`] } };
    await cni.addNetworkList(list, rt);
    assert.deepEqual(ns.addresses('eth0'), [`${prefix}.77/24`]);
    await cni.delNetworkList(list, rt);
    assert.equal(ns.hasLink('eth0'), false);
    void subnet;
  });

  it('macvlan on a parent link the test made', async () => {
    const { prefix, subnet } = testSubnet();
    const parent = `nnd${tag}`;
    createParentLink(parent);
    made.links.push(parent);
    const ns = netns('m');
    const list = confListFromBytes(
      Buffer.from(
        JSON.stringify({
          cniVersion: '1.0.0',
          name: `nnt-${tag}-m`,
          plugins: [{ type: 'macvlan', master: parent, mode: 'bridge', ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: join(work, 'leases') } }],
        }),
      ),
    );
    const rt = { containerID: `nnt-${tag}-ctr-m`, netns: ns.path, ifName: 'eth0' };
    await cni.addNetworkList(list, rt);
    const addrs = ns.addresses('eth0');
    assert.equal(addrs.length, 1);
    assert.ok(addrs[0]?.startsWith(`${prefix}.`));
    assert.match(ns.exec(['ip', '-d', 'link', 'show', 'eth0']), /macvlan mode bridge/);
    await cni.delNetworkList(list, rt);
    assert.equal(ns.hasLink('eth0'), false);
    assert.deepEqual(leaseFiles(`nnt-${tag}-m`), []);
  });

  it('two networks at once give eth0 and eth1; a failing second network rolls the first back', async () => {
    const a = testSubnet();
    let b = testSubnet();
    while (b.subnet === a.subnet) b = testSubnet();
    const netA = nerdctlChain(`nnt-${tag}-ma`, `nnb${tag}x`, a.subnet, a.gateway);
    const netB = nerdctlChain(`nnt-${tag}-mb`, `nnb${tag}y`, b.subnet, b.gateway);
    const ns = netns('multi');
    const args = { containerID: `nnt-${tag}-ctr-multi`, netns: ns.path };
    const nets = assignInterfaces([netA, netB]);
    const res = await setupNetworks(cni, nets, args);
    assert.ok(res.interfaces.eth0?.ipConfigs[0]?.ip.startsWith(`${a.prefix}.`));
    assert.ok(res.interfaces.eth1?.ipConfigs[0]?.ip.startsWith(`${b.prefix}.`));
    assert.equal(ns.addresses('eth1').length, 1);
    await teardownNetworks(cni, nets, args);
    assert.equal(ns.hasLink('eth0'), false);
    assert.equal(ns.hasLink('eth1'), false);

    // Second network broken: its range has host bits, host-local refuses it.
    const broken = nerdctlChain(`nnt-${tag}-mc`, `nnb${tag}z`, `${b.prefix}.7/24`, b.gateway);
    const ns2 = netns('rollback');
    const args2 = { containerID: `nnt-${tag}-ctr-rb`, netns: ns2.path };
    await assert.rejects(setupNetworks(cni, assignInterfaces([netA, broken]), args2), (e: Error) => {
      assert.match(e.message, new RegExp(`failed to attach network "nnt-${tag}-mc" as eth1`));
      assert.match(e.message, /host bits set/);
      return true;
    });
    assert.equal(ns2.hasLink('eth0'), false, 'first network rolled back');
    assert.deepEqual(hostVethsOf(ns2), []);
    assert.deepEqual(leaseFiles(`nnt-${tag}-ma`), []);
    assert.deepEqual(rulesMentioning(args2.containerID), []);
    assert.deepEqual(await cni.cache.attachments(args2.containerID), []);
  });

  it('a missing plugin and a 1.1.0-only list give clear errors', async () => {
    const ns = netns('err');
    const missing = confListFromBytes(Buffer.from(`{"cniVersion":"1.0.0","name":"nnt-${tag}-e","plugins":[{"type":"no-such-plugin"}]}`));
    await assert.rejects(cni.addNetworkList(missing, { containerID: 'x', netns: ns.path, ifName: 'eth0' }), /failed to find plugin "no-such-plugin" in path \[\/usr\/lib\/cni\]/);
    // Debian's plugins stop at 1.0.0: a cniVersions list is negotiated down instead of failing.
    const list = confListFromBytes(Buffer.from(`{"cniVersions":["1.0.0","1.1.0"],"name":"nnt-${tag}-lo2","plugins":[{"type":"loopback"}]}`));
    assert.equal(await cni.effectiveVersion(list), '1.0.0');
    await cni.addNetworkList(list, { containerID: `nnt-${tag}-lo2`, netns: ns.path, ifName: 'lo' });
    await cni.delNetworkList(list, { containerID: `nnt-${tag}-lo2`, netns: ns.path, ifName: 'lo' });
    assert.ok(shOk('ip', ['netns', 'exec', ns.name, 'true']));
  });
});
