// ls / inspect / rm / prune over a temp conf dir with a fake host and fake usage.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHost, FakeUsage, fakePluginDir } from '../../../test/helpers/network-fakes.js';
import { gcNetworks } from '../gc/networks.js';
import { resolveNetworks } from '../attachment/networks.js';
import { createNetwork } from './create.js';
import { ensureDefaultNetwork } from './default-network.js';
import { inspectNetworks, inspectNetworksNative } from './inspect.js';
import { listNetworks } from './list.js';
import { networkID } from './names.js';
import { pruneNetworks, removeNetworks } from './remove.js';
import type { NetworkEnv } from './types.js';

let conf: string;
let plugins: { dir: string; remove: () => Promise<void> };
let host: FakeHost;
let usage: FakeUsage;
let env: NetworkEnv;

beforeEach(async () => {
  conf = await mkdtemp(join(tmpdir(), 'nerdnet-manage-'));
  plugins = await fakePluginDir();
  host = new FakeHost();
  usage = new FakeUsage();
  env = { netconfPath: conf, namespace: 'default', pluginDirs: [plugins.dir], host, usage };
});
afterEach(async () => {
  await rm(conf, { recursive: true, force: true });
  await plugins.remove();
});

const FOREIGN = '{"cniVersion":"1.0.0","name":"podman","plugins":[{"type":"bridge","bridge":"cni-podman0","ipam":{"type":"host-local","ranges":[[{"subnet":"10.88.0.0/16"}]]}}]}';

describe('network ls', () => {
  it('lists in sorted path order, foreign networks without ID, then host and none', async () => {
    await ensureDefaultNetwork(env);
    const foo = await createNetwork(env, { name: 'foo', labels: ['env=prod'] });
    await writeFile(join(conf, '87-podman.conflist'), FOREIGN);
    const rows = await listNetworks(env);
    assert.deepEqual(rows.map((r) => [r.id, r.name]), [
      ['', 'podman'],
      [foo.id.slice(0, 12), 'foo'],
      ['17f29b073143', 'bridge'],
      ['', 'host'],
      ['', 'none'],
    ]);
    assert.equal(rows[1]?.file, join(conf, 'default', 'nerdctl-foo.conflist'));
  });

  it('filters by name regexp, label, id and driver; hidden labels never match; unknown keys fail', async () => {
    await createNetwork(env, { name: 'web-a', labels: ['env=prod', 'tier'] });
    await createNetwork(env, { name: 'web-b', labels: ['env=dev'], subnets: ['10.9.0.0/24'], auxAddresses: ['r=10.9.0.9'] });
    const db = await createNetwork(env, { name: 'db', driver: 'macvlan', subnets: ['10.10.0.0/24'] });
    const names = async (filters: string[]) => (await listNetworks(env, { filters })).map((r) => r.name);
    assert.deepEqual(await names(['name=^web']), ['web-a', 'web-b']);
    assert.deepEqual(await names(['name=-b$']), ['web-b']);
    assert.deepEqual(await names(['label=env']), ['web-a', 'web-b']);
    assert.deepEqual(await names(['label=env=dev']), ['web-b']);
    assert.deepEqual(await names(['label=tier', 'name=web']), ['web-a']);
    assert.deepEqual(await names(['label=nerdctl/network-aux-addresses']), []);
    assert.deepEqual(await names([`id=${db.id.slice(0, 5)}`]), ['db']);
    assert.deepEqual(await names(['driver=macvlan']), ['db']);
    await assert.rejects(listNetworks(env, { filters: ['dangling=true'] }), /unsupported filter "dangling"/);
    await assert.rejects(listNetworks(env, { filters: ['name=('] }), /invalid filter "name=\("/);
  });

  it('a broken file is skipped with a warning naming it; ls, inspect and rm of other networks work', async () => {
    const warnings: string[] = [];
    const logged = { ...env, log: (_l: string, m: string) => warnings.push(m) };
    await createNetwork(env, { name: 'ok1' });
    await createNetwork(env, { name: 'ok2' });
    const broken = join(conf, 'default', 'broken.conflist');
    await writeFile(broken, '{');
    assert.deepEqual((await listNetworks(logged)).map((r) => r.name), ['ok1', 'ok2', 'host', 'none']);
    assert.match(warnings.join('\n'), /skipped network config file .*default\/broken\.conflist: failed to parse network config file/);
    assert.deepEqual((await inspectNetworks(logged, ['ok1'])).errors, []);
    // A network that is not found may be the broken one: the error says which files were skipped.
    assert.match((await inspectNetworks(logged, ['nosuch'])).errors[0]?.message ?? '', /no network found matching: nosuch \(unreadable config files skipped: .*broken\.conflist\)/);
    assert.deepEqual((await removeNetworks(logged, ['ok2'])).removed, ['ok2']);
    assert.deepEqual((await pruneNetworks(logged)).removed, ['ok1']);
    assert.ok(existsSync(broken), 'the broken file is left for the user');
  });

  it('a second file with an existing name is listed once: the one libcni picks, the other named', async () => {
    const warnings: string[] = [];
    const logged = { ...env, log: (_l: string, m: string) => warnings.push(m) };
    const real = await createNetwork(env, { name: 'dup', subnets: ['10.60.0.0/24'] });
    // Planted at the top level: sorts after <netconf>/default/..., and a .conf loses to any .conflist.
    const planted = join(conf, 'zz-dup.conflist');
    const legacy = join(conf, '00-dup.conf');
    await writeFile(planted, JSON.stringify({ cniVersion: '1.0.0', name: 'dup', nerdctlID: 'x', plugins: [{ type: 'bridge', bridge: 'planted0' }] }));
    await writeFile(legacy, JSON.stringify({ cniVersion: '1.0.0', name: 'dup', type: 'bridge', bridge: 'legacy0' }));
    const rows = await listNetworks(logged);
    assert.deepEqual(rows.filter((r) => r.name === 'dup').map((r) => r.file), [real.path]);
    assert.match(warnings.join('\n'), new RegExp(`network "dup" is defined more than once: using ${real.path}, ignoring ${legacy}, ${planted}`));
    const native = await inspectNetworksNative(logged, ['dup']);
    assert.deepEqual([native.networks[0]?.File, native.networks[0]?.ShadowedFiles], [real.path, [legacy, planted]]);
    assert.equal((await inspectNetworks(logged, ['dup'])).networks[0]?.Options['com.docker.network.bridge.name'], real.bridge);
    // run/the hook and gc pick the same file.
    assert.equal((await resolveNetworks(logged, ['dup']))[0]?.record.file, real.path);
    const notes: string[] = [];
    assert.deepEqual((await gcNetworks(conf, 'default', notes)).filter((g) => g.name === 'dup').map((g) => g.file), [real.path]);
    assert.match(notes.join('\n'), /network "dup" is defined more than once/);
    // rm takes the same one; then the next in line shows.
    assert.deepEqual((await removeNetworks(logged, ['dup'])).removed, ['dup']);
    assert.ok(!existsSync(real.path) && existsSync(planted));
    assert.deepEqual((await inspectNetworksNative(logged, ['dup'])).networks[0]?.File, planted);
  });
});

describe('namespaces (spec 9.1)', () => {
  it('a network of namespace A is invisible in B, but its subnet is still avoided there', async () => {
    const a = await createNetwork({ ...env, namespace: 'a' }, { name: 'shared' });
    const b = await createNetwork({ ...env, namespace: 'b' }, { name: 'shared' });
    assert.deepEqual([a.subnets, b.subnets], [['10.4.1.0/24'], ['10.4.2.0/24']]);
    assert.deepEqual((await listNetworks({ ...env, namespace: 'c' })).map((r) => r.name), ['host', 'none']);
    assert.equal((await inspectNetworks({ ...env, namespace: 'c' }, ['shared'])).errors[0]?.message, 'no network found matching: shared');
    assert.equal((await removeNetworks({ ...env, namespace: 'c' }, ['shared'])).removed.length, 0);
    assert.deepEqual((await pruneNetworks({ ...env, namespace: 'c' })).removed, []);
    assert.ok(existsSync(a.path) && existsSync(b.path));
  });
});

describe('network inspect', () => {
  it('Docker-shaped, by name, full ID, ID prefix; Labels {} when unlabelled; pseudo networks', async () => {
    const foo = await createNetwork(env, { name: 'foo', subnets: ['10.24.24.0/24'], gateways: ['10.24.24.1'], ipRanges: ['10.24.24.0/25'], auxAddresses: ['r=10.24.24.200'], options: ['mtu=1400'] });
    usage.byNetwork.foo = [{ containerID: 'default-abc', ifName: 'eth0', name: 'web', mac: 'aa:bb:cc:dd:ee:ff', ipv4: '10.24.24.5/24' }];
    const r = await inspectNetworks(env, ['foo', foo.id, foo.id.slice(0, 25), 'none']);
    assert.deepEqual(r.errors, []);
    const [n] = r.networks;
    assert.ok(n);
    assert.equal(n.Id, foo.id);
    assert.deepEqual(Object.keys(n), ['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels']);
    assert.deepEqual(n.IPAM, { Driver: 'default', Options: {}, Config: [{ Subnet: '10.24.24.0/24', IPRange: '10.24.24.0/25', Gateway: '10.24.24.1', AuxiliaryAddresses: { r: '10.24.24.200' } }] });
    assert.deepEqual(n.Labels, {});
    assert.deepEqual(n.Options, { 'com.docker.network.bridge.name': foo.bridge, 'com.docker.network.driver.mtu': '1400' });
    assert.deepEqual(n.Containers, { 'default-abc': { Name: 'web', MacAddress: 'aa:bb:cc:dd:ee:ff', IPv4Address: '10.24.24.5/24', IPv6Address: '' } });
    assert.equal(r.networks[1]?.Id, foo.id);
    assert.equal(r.networks[2]?.Id, foo.id);
    assert.deepEqual([r.networks[3]?.Name, r.networks[3]?.Driver, r.networks[3]?.Id], ['none', 'null', undefined]);
  });

  it('internal, dual-stack and macvlan are described; a prefix matching two IDs is an error', async () => {
    await createNetwork(env, { name: 'int', internal: true, ipv6: true, subnets: ['fd00:9::/64'] });
    await createNetwork(env, { name: 'mv', driver: 'macvlan', options: ['parent=eth0', 'mode=bridge'], subnets: ['10.77.0.0/24'] });
    const r = await inspectNetworks(env, ['int', 'mv', '', 'nosuch']);
    assert.deepEqual([r.networks[0]?.Internal, r.networks[0]?.EnableIPv4, r.networks[0]?.EnableIPv6], [true, true, true]);
    assert.deepEqual([r.networks[1]?.Driver, r.networks[1]?.Options], ['macvlan', { parent: 'eth0', macvlan_mode: 'bridge' }]);
    assert.deepEqual(r.errors.map((e) => e.message), ['no network found matching: ', 'no network found matching: nosuch']);
    // Two names whose IDs start with the same hex digit.
    const names = Array.from({ length: 40 }, (_, i) => `p${i}`);
    const first = names.find((x) => names.some((y) => y !== x && networkID(y)[0] === networkID(x)[0])) ?? '';
    const second = names.find((y) => y !== first && networkID(y)[0] === networkID(first)[0]) ?? '';
    for (const [i, name] of [first, second].entries()) await createNetwork(env, { name, internal: true, subnets: [`10.78.${i}.0/24`] });
    assert.match((await inspectNetworks(env, [networkID(first).slice(0, 1)])).errors[0]?.message ?? '', /multiple IDs found with provided prefix/);
  });

  it('native mode returns the raw conflist and file', async () => {
    const foo = await createNetwork(env, { name: 'foo' });
    const r = await inspectNetworksNative(env, ['foo']);
    assert.equal(r.networks[0]?.File, foo.path);
    assert.equal(r.networks[0]?.NerdctlID, foo.id);
    assert.equal((r.networks[0]?.CNI as { name: string }).name, 'foo');
  });
});

describe('network rm', () => {
  it('removes by name, full ID and ID prefix, deleting the bridge the conflist names', async () => {
    const nets = await Promise.all(['n1', 'n2', 'n3'].map((name) => createNetwork(env, { name })));
    for (const n of nets) host.links[n.bridge ?? ''] = 'bridge';
    const [a, b, c] = nets.map((n) => n);
    const r = await removeNetworks(env, ['n1', b?.id ?? '', c?.id.slice(0, 12) ?? '']);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.removed, ['n1', b?.id, c?.id.slice(0, 12)]);
    assert.deepEqual(host.deleted, nets.map((n) => n.bridge));
    for (const n of [a, b, c]) assert.ok(!existsSync(n?.path ?? ''));
  });

  it('leaves a link that is not a bridge, and a bridge another config still names', async () => {
    const n = await createNetwork(env, { name: 'n1' });
    host.links[n.bridge ?? ''] = 'dummy';
    const r = await removeNetworks(env, ['n1']);
    assert.deepEqual(r.removed, ['n1']);
    assert.match(r.warnings.join(), /left link br-\w+ in place: it is a dummy link/);
    assert.deepEqual(host.deleted, []);
    const m = await createNetwork(env, { name: 'n2' });
    host.links[m.bridge ?? ''] = 'bridge';
    await mkdir(join(conf, 'x'));
    await writeFile(join(conf, 'x', 'twin.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'twin', plugins: [{ type: 'bridge', bridge: m.bridge }] }));
    await removeNetworks(env, ['n2']);
    assert.deepEqual(host.deleted, []);
  });

  it('refuses in-use, default, foreign and pseudo networks, naming why', async () => {
    await ensureDefaultNetwork(env);
    await createNetwork(env, { name: 'busy' });
    await writeFile(join(conf, '87-podman.conflist'), FOREIGN);
    usage.byNetwork.busy = [{ containerID: 'default-0123456789ab', ifName: 'eth0', name: 'web1' }];
    const r = await removeNetworks(env, ['busy', 'bridge', 'podman', 'host', 'none']);
    assert.deepEqual(r.removed, []);
    assert.deepEqual(r.errors.map((e) => e.message), [
      'network "busy" is in use by container "web1" (eth0); stop or remove the container first',
      'cannot remove pre-defined network bridge',
      `podman is managed outside nerdctl and cannot be removed (${join(conf, '87-podman.conflist')})`,
      'pseudo network not allowed: host (host and none are built in)',
      'pseudo network not allowed: none (host and none are built in)',
    ]);
    assert.equal(r.errors[0]?.code, 'ERR_IN_USE');
  });
});

describe('network rm: attachments a stop left behind', () => {
  it('refuses while a stopped container still holds an attachment, naming it; -f detaches, then removes', async () => {
    const n = await createNetwork(env, { name: 'held' });
    const p = { containerID: 'default-0123', ifName: 'eth0', name: 'w', entry: { containerID: 'default-0123', network: 'held', ifName: 'eth0', config: Buffer.from('{}') } };
    usage.pendingByNetwork.held = [p];
    const r = await removeNetworks(env, ['held']);
    assert.deepEqual(r.removed, []);
    assert.match(r.errors[0]?.message ?? '', /network "held" still holds an attachment of stopped container "w" \(eth0\) that was never detached; .*-f/);
    assert.equal(r.errors[0]?.code, 'ERR_IN_USE');
    assert.deepEqual((await pruneNetworks(env)).removed, [], 'prune keeps it too');
    assert.ok(existsSync(n.path));
    const f = await removeNetworks(env, ['held'], { force: true });
    assert.deepEqual([f.removed, usage.detached], [['held'], [p]]);
    assert.ok(!existsSync(n.path));
  });

  it('-f never detaches from a network it then refuses to remove', async () => {
    await ensureDefaultNetwork(env);
    usage.pendingByNetwork.bridge = [{ containerID: 'default-1', ifName: 'eth0', entry: { containerID: 'default-1', network: 'bridge', ifName: 'eth0', config: Buffer.from('{}') } }];
    const r = await removeNetworks(env, ['bridge'], { force: true });
    assert.deepEqual([r.errors[0]?.message, usage.detached], ['cannot remove pre-defined network bridge', []]);
  });

  it('removes host-local\'s lease dir (here a configured dataDir) when no lease is left, else keeps it and says so', async () => {
    const data = join(conf, 'leases');
    // A network whose host-local keeps its files under `data`, holding `files` there.
    const withLeaseDir = async (name: string, files: Record<string, string>) => {
      const n = await createNetwork(env, { name });
      const raw = JSON.parse(await readFile(n.path, 'utf8')) as { plugins: Array<{ ipam?: Record<string, unknown> }> };
      for (const pl of raw.plugins) if (pl.ipam) pl.ipam.dataDir = data;
      await writeFile(n.path, JSON.stringify(raw));
      await mkdir(join(data, name), { recursive: true });
      for (const [f, text] of Object.entries(files)) await writeFile(join(data, name, f), text);
    };
    await withLeaseDir('dd', { lock: '', 'last_reserved_ip.0': '10.4.1.2' });
    assert.deepEqual((await removeNetworks(env, ['dd'])).removed, ['dd']);
    assert.ok(!existsSync(join(data, 'dd')), 'the empty lease dir went with the network');
    await withLeaseDir('kept', { '10.4.2.5': 'other-runtime-id\r\neth0' });
    const r = await removeNetworks(env, ['kept']);
    assert.deepEqual(r.removed, ['kept']);
    assert.match(r.warnings.join(), /kept .*leases\/kept: it still holds 1 lease\(s\) \(10\.4\.2\.5\)/);
    assert.ok(existsSync(join(data, 'kept', '10.4.2.5')));
  });
});

describe('the default network label (only bridge is pre-defined)', () => {
  it('create refuses the label, naming it; a network that has it anyway is removed and pruned like any other', async () => {
    await assert.rejects(createNetwork(env, { name: 'xx', labels: ['nerdctl/default-network=true'] }), /label nerdctl\/default-network is reserved for the default network "bridge"/);
    assert.ok(!existsSync(join(conf, 'default', 'nerdctl-xx.conflist')));
    const old = (name: string) => JSON.stringify({ cniVersion: '1.0.0', name, nerdctlID: networkID(name), nerdctlLabels: { 'nerdctl/default-network': 'true' }, plugins: [{ type: 'bridge', bridge: `br-${name}` }] });
    await mkdir(join(conf, 'default'), { recursive: true });
    await writeFile(join(conf, 'default', 'nerdctl-xx.conflist'), old('xx'));
    await writeFile(join(conf, 'default', 'nerdctl-yy.conflist'), old('yy'));
    assert.deepEqual((await removeNetworks(env, ['xx'])).removed, ['xx']);
    assert.deepEqual((await pruneNetworks(env)).removed, ['yy']);
  });
});

describe('network prune', () => {
  it('keeps the default, in-use and foreign networks; removes the rest', async () => {
    await ensureDefaultNetwork(env);
    await createNetwork(env, { name: 'used' });
    await createNetwork(env, { name: 'idle1' });
    await createNetwork(env, { name: 'idle2', driver: 'ipvlan', subnets: ['10.50.0.0/24'] });
    await writeFile(join(conf, '87-podman.conflist'), FOREIGN);
    usage.byNetwork.used = [{ containerID: 'default-1', ifName: 'eth0' }];
    const r = await pruneNetworks(env);
    assert.deepEqual(r.removed, ['idle1', 'idle2']);
    assert.deepEqual((await listNetworks(env)).map((x) => x.name), ['podman', 'used', 'bridge', 'host', 'none']);
  });
});
