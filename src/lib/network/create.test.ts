// createNetwork against a temp conf dir and a fake host: files, modes, and bad input that
// leaves the conf dir exactly as it was (design.md §4: validate and plan first, then apply).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHost, fakePluginDir, snapshotDir } from '../../../test/helpers/network-fakes.js';
import { createNetwork } from './create.js';
import type { NetworkCreateRequest, NetworkEnv } from './types.js';

let conf: string;
let plugins: { dir: string; remove: () => Promise<void> };
let env: NetworkEnv;

before(async () => {
  conf = await mkdtemp(join(tmpdir(), 'nerdnet-create-'));
  plugins = await fakePluginDir();
  env = { netconfPath: conf, namespace: 'default', pluginDirs: [plugins.dir], host: new FakeHost([{ ifname: 'eth0', address: '192.168.5.2', prefix: 24 }]) };
  await createNetwork(env, { name: 'taken', subnets: ['10.30.0.0/16'] });
  await createNetwork({ ...env, namespace: 'other' }, { name: 'elsewhere', subnets: ['10.31.0.0/16'] });
});
after(async () => {
  await rm(conf, { recursive: true, force: true });
  await plugins.remove();
});

describe('createNetwork', () => {
  it('writes <netconf>/<ns>/nerdctl-<name>.conflist 0644 in a 0755 dir, no trailing newline', async () => {
    const net = await createNetwork(env, { name: 'web-1' });
    assert.equal(net.path, join(conf, 'default', 'nerdctl-web-1.conflist'));
    assert.equal((await stat(net.path)).mode & 0o777, 0o644);
    assert.equal((await stat(join(conf, 'default'))).mode & 0o777, 0o755);
    const text = await readFile(net.path, 'utf8');
    assert.ok(text.startsWith('{\n  "cniVersion": "1.0.0",\n  "name": "web-1",'));
    assert.ok(text.endsWith('}'));
    assert.deepEqual(net.subnets, ['10.4.1.0/24']);
    assert.equal(net.bridge, `br-${net.id.slice(0, 12)}`);
  });

  it('a second automatic network gets the next /24', async () => {
    const net = await createNetwork(env, { name: 'web-2' });
    assert.deepEqual(net.subnets, ['10.4.2.0/24']);
  });
});

// [request, message pattern]; each must fail and leave the conf dir as it was.
const BAD: Array<[string, NetworkCreateRequest, RegExp]> = [
  ['path traversal', { name: '../x' }, /invalid network name "\.\.\/x": it must start with a letter or digit/],
  ['slash', { name: 'a/b' }, /invalid network name "a\/b": character "\/" is not allowed/],
  ['empty name', { name: '' }, /the name is empty/],
  ['one character', { name: 'a' }, /"a": names need at least 2 characters/],
  ['too long', { name: 'x'.repeat(129) }, /129 characters is longer than the maximum of 128/],
  ['space', { name: 'my net' }, /character " " is not allowed/],
  ['newline', { name: 'ab\n' }, /character "\\n" is not allowed/],
  ['pseudo name', { name: 'host' }, /"host" is reserved for the host pseudo network/],
  ['existing name', { name: 'taken' }, /network with name taken already exists/],
  ['malformed subnet', { name: 'n1', subnets: ['10.5.0/16'] }, /invalid --subnet "10\.5\.0\/16": .*4 dot-separated fields.*write it like 10\.5\.0\.0\/16/],
  ['prefix too long', { name: 'n1', subnets: ['10.5.0.0/33'] }, /invalid --subnet "10\.5\.0\.0\/33": prefix length 33 is out of range/],
  ['host bits', { name: 'n1', subnets: ['10.5.0.1/16'] }, /unexpected subnet "10\.5\.0\.1\/16", maybe you meant "10\.5\.0\.0\/16"\?/],
  ['too small', { name: 'n1', subnets: ['10.5.0.0/31'] }, /10\.5\.0\.0\/31 is too small/],
  ['overlaps a network', { name: 'n1', subnets: ['10.30.5.0/24'] }, /subnet 10\.30\.5\.0\/24 overlaps with network "taken" \(.*nerdctl-taken\.conflist\); choose another --subnet/],
  ['overlaps another namespace', { name: 'n1', subnets: ['10.31.0.0/24'] }, /overlaps with network "elsewhere" \(.*other\/nerdctl-elsewhere\.conflist\)/],
  ['overlaps a host address', { name: 'n1', subnets: ['192.168.0.0/16'] }, /overlaps with the address 192\.168\.5\.2\/24 on host interface eth0/],
  ['subnets overlap each other', { name: 'n1', subnets: ['10.6.0.0/16', '10.6.1.0/24'] }, /subnets 10\.6\.0\.0\/16 and 10\.6\.1\.0\/24 overlap/],
  ['gateway outside subnet', { name: 'n1', subnets: ['10.5.0.0/16'], gateways: ['10.9.0.1'] }, /no matching subnet for gateway "10\.9\.0\.1": each --gateway must lie inside one --subnet \(10\.5\.0\.0\/16\)/],
  ['malformed gateway', { name: 'n1', subnets: ['10.5.0.0/16'], gateways: ['10.5.0.300'] }, /invalid --gateway "10\.5\.0\.300"/],
  ['gateway is the network address', { name: 'n1', subnets: ['10.5.0.0/16'], gateways: ['10.5.0.0'] }, /gateway 10\.5\.0\.0 is the network address/],
  ['gateway without subnet', { name: 'n1', gateways: ['10.5.0.1'] }, /cannot set gateway or ip-range without subnet/],
  ['ip-range outside subnet', { name: 'n1', subnets: ['10.5.0.0/24'], ipRanges: ['10.6.0.0/25'] }, /no matching subnet for ip-range "10\.6\.0\.0\/25"/],
  ['ip-range larger than subnet', { name: 'n1', subnets: ['10.5.0.0/24'], ipRanges: ['10.5.0.0/23'] }, /no matching subnet "10\.5\.0\.0\/24" for ip-range "10\.5\.0\.0\/23"/],
  ['IPv6 subnet without --ipv6', { name: 'n1', subnets: ['fd00:1::/64'] }, /IPv6 subnet fd00:1::\/64 needs --ipv6/],
  ['--ipv6 without an IPv6 subnet', { name: 'n1', ipv6: true }, /--ipv6 needs an IPv6 --subnet/],
  ['neither family', { name: 'n1', ipv4: false }, /IPv4 or IPv6 must be enabled/],
  ['IPv6-only without subnet', { name: 'n1', ipv4: false, ipv6: true }, /IPv6-only network requires an IPv6 subnet/],
  ['--ipv4=false with an IPv4 subnet', { name: 'n1', ipv4: false, ipv6: true, subnets: ['10.5.0.0/24'] }, /--ipv4=false conflicts with an IPv4 subnet/],
  ['unknown driver', { name: 'n1', driver: 'overlay' }, /unsupported cni driver "overlay"; use bridge, macvlan or ipvlan/],
  ['unknown ipam driver', { name: 'n1', ipamDriver: 'whereabouts' }, /unsupported ipam driver "whereabouts"/],
  ['unknown bridge option', { name: 'n1', options: ['com.docker.network.bridge.name=br0'] }, /unsupported "bridge" network option "com\.docker\.network\.bridge\.name"; supported: mtu/],
  ['parent on a bridge', { name: 'n1', options: ['parent=eth0'] }, /unsupported "bridge" network option "parent"/],
  ['bad mtu', { name: 'n1', options: ['mtu=big'] }, /invalid mtu "big"/],
  ['negative mtu', { name: 'n1', options: ['mtu=-5'] }, /mtu -5 is less than zero/],
  ['huge mtu', { name: 'n1', options: ['mtu=70000'] }, /mtu 70000 is out of range/],
  ['bad bool', { name: 'n1', options: ['ip-masq=maybe'] }, /invalid value "maybe" for option ip-masq: use true or false/],
  ['macvlan mode', { name: 'n1', driver: 'macvlan', options: ['mode=vepa'] }, /unknown macvlan mode "vepa"; use bridge/],
  ['ipvlan mode', { name: 'n1', driver: 'ipvlan', options: ['mode=l3s'] }, /unknown ipvlan mode "l3s"; use l2 or l3/],
  ['macvlan_mode on ipvlan', { name: 'n1', driver: 'ipvlan', options: ['macvlan_mode=bridge'] }, /unsupported "ipvlan" network option "macvlan_mode"/],
  ['bad parent', { name: 'n1', driver: 'macvlan', options: ['parent=a/b'] }, /invalid parent "a\/b"/],
  ['ipam-opt on host-local', { name: 'n1', ipamOptions: ['x={"type":"request"}'] }, /--ipam-opt x: IPAM options apply only to --ipam-driver dhcp/],
  ['subnet with dhcp', { name: 'n1', ipamDriver: 'dhcp', subnets: ['10.5.0.0/24'] }, /--subnet cannot be used with --ipam-driver dhcp: the DHCP server assigns/],
  ['subnet with static', { name: 'n1', ipamDriver: 'static', subnets: ['10.5.0.0/24'] }, /--subnet cannot be used with --ipam-driver static/],
  ['unparsable ipam-opt', { name: 'n1', ipamDriver: 'dhcp', ipamOptions: ['x=notjson'] }, /unparsable ipam option x "notjson"/],
  ['ipam-opt without type', { name: 'n1', ipamDriver: 'dhcp', ipamOptions: ['x={"value":"1"}'] }, /ipam option must have a type \(provide or request\)/],
  ['aux without =', { name: 'n1', subnets: ['10.5.0.0/24'], auxAddresses: ['10.5.0.9'] }, /invalid --aux-address "10\.5\.0\.9": write name=IP/],
  ['aux bad IP', { name: 'n1', subnets: ['10.5.0.0/24'], auxAddresses: ['r=10.5.0.999'] }, /invalid aux-address "10\.5\.0\.999"/],
  ['aux outside', { name: 'n1', subnets: ['10.5.0.0/24'], auxAddresses: ['r=10.6.0.9'] }, /no matching subnet for aux-address 10\.6\.0\.9/],
  ['aux is the gateway', { name: 'n1', subnets: ['10.5.0.0/24'], auxAddresses: ['r=10.5.0.1'] }, /failed to allocate secondary ip address \(r:10\.5\.0\.1\): Address already in use/],
  ['bridge with another driver', { name: 'bridge', driver: 'macvlan', subnets: ['10.5.0.0/24'] }, /network "bridge" is the default network and uses the bridge driver, not macvlan/],
  ['aux label by hand', { name: 'n1', labels: ['nerdctl/network-aux-addresses={}'] }, /is reserved for --aux-address bookkeeping/],
  ['empty option key', { name: 'n1', options: ['=1'] }, /invalid --opt "=1": the key is empty/],
];

describe('bad input: a clear error and nothing written', () => {
  for (const [what, req, pattern] of BAD) {
    it(what, async () => {
      const before = await snapshotDir(conf);
      await assert.rejects(createNetwork(env, req), pattern);
      assert.deepEqual(await snapshotDir(conf), before);
    });
  }

  it('an invalid namespace never becomes a directory', async () => {
    const before = await snapshotDir(conf);
    await assert.rejects(createNetwork({ ...env, namespace: '../etc' }, { name: 'n1' }), /invalid namespace "\.\.\/etc"/);
    assert.deepEqual(await snapshotDir(conf), before);
  });

  it('a missing plugin is named, with where it was looked for', async () => {
    const before = await snapshotDir(conf);
    await assert.rejects(createNetwork({ ...env, pluginDirs: [join(conf, 'nope')] }, { name: 'n1' }), /needs CNI plugin "bridge" to be installed in CNI_PATH \(".*nope"\)/);
    assert.deepEqual(await snapshotDir(conf), before);
  });

  it('a file that already exists is never replaced', async () => {
    const path = join(conf, 'default', 'nerdctl-stray.conflist');
    await writeFile(path, '{"cniVersion":"1.0.0","name":"not-stray","plugins":[{"type":"bridge"}]}');
    await assert.rejects(createNetwork(env, { name: 'stray' }), /already exists/);
    assert.match(await readFile(path, 'utf8'), /not-stray/);
    await rm(path);
  });
});
