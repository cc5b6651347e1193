// Hostile input: values that would reach a path, a file or a command line are refused with a clear
// error and leave nothing behind; a bundle's annotations cannot point the hook elsewhere; symlinks
// planted in the data root are never written, read or deleted through; files get nerdctl's modes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NerdnetError } from '../src/lib/errors.js';
import { pluginEnv } from '../src/lib/cni/exec.js';
import { HostsStore } from '../src/lib/etc/hosts-store.js';
import { NameStore } from '../src/lib/etc/name-store.js';
import { prepareContainerFiles } from '../src/lib/etc/prepare.js';
import { DataStoreLayout, openDataStore } from '../src/lib/store/layout.js';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';
import { busyboxImageArchive } from './helpers/busybox-image.js';

const BUNDLE = fileURLToPath(new URL('../dist/nerdnet.js', import.meta.url));
const ID = 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789';
const PEER = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const PRECIOUS = 'precious: must never change\n';

const mode = async (p: string): Promise<string> => ((await stat(p)).mode & 0o777).toString(8);

// Every file under `dir` (relative path → content), to show nothing outside changed.
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length)] = await readFile(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

describe('symlinks planted in the data root are not followed', () => {
  let dir: string;
  let outside: string;
  let layout: DataStoreLayout;
  let n = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerdnet-hostile-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // A fresh store and an "outside" dir with a precious file and a valid-looking meta.json.
  const fresh = async (): Promise<void> => {
    layout = new DataStoreLayout(join(dir, `store${n}`));
    outside = join(dir, `outside${n++}`);
    await mkdir(outside);
    await writeFile(join(outside, 'hosts'), PRECIOUS);
    await writeFile(join(outside, 'precious'), PRECIOUS);
    await writeFile(join(outside, 'meta.json'), JSON.stringify({ ID: PEER, Networks: { n1: { ips: [{ address: '10.4.1.9/24' }] } }, Hostname: 'peer', ExtraHosts: {}, Name: 'peer', Domainname: '' }));
  };
  const acquire = (store: HostsStore, id: string) => store.acquire({ ns: 'default', id, meta: { name: `c${id.slice(0, 4)}`, hostname: 'h', networks: { n1: { ips: [{ address: '10.4.1.2/24' }] } } } });

  it('a hosts store entry that is a symlink to a directory: not listed, not rewritten, not deleted through', async () => {
    await fresh();
    const before = await tree(outside);
    await mkdir(layout.etchostsRoot('default'), { recursive: true });
    await symlink(outside, layout.etchostsDir('default', PEER));
    const store = new HostsStore({ layout });
    await acquire(store, ID);
    assert.deepEqual((await store.list('default')).map((m) => m.ID), [ID]);
    await assert.rejects(store.release('default', PEER), (e: unknown) => NerdnetError.is(e) && /is a symbolic link/.test(e.message));
    await assert.rejects(store.delete('default', PEER), /is a symbolic link/);
    assert.deepEqual(await tree(outside), before);
  });

  it("a container's hosts file that is a symlink: skipped with a warning, its target untouched", async () => {
    await fresh();
    const warnings: string[] = [];
    const store = new HostsStore({ layout, logger: (level, m) => level === 'warn' && warnings.push(m) });
    await mkdir(layout.etchostsDir('default', ID), { recursive: true });
    await symlink(join(outside, 'hosts'), layout.hostsPath('default', ID));
    const report = await acquire(store, ID);
    assert.deepEqual(report.skipped, [ID]);
    assert.match(warnings.join('\n'), /cannot update .*hosts/);
    assert.equal(await readFile(join(outside, 'hosts'), 'utf8'), PRECIOUS);
  });

  it('a resolv.conf planted as a symlink in a state dir: refused, target untouched', async () => {
    await fresh();
    await mkdir(layout.stateDir('default', ID), { recursive: true });
    await symlink(join(outside, 'precious'), layout.resolvConfPath('default', ID));
    await assert.rejects(
      prepareContainerFiles({ layout, hostsStore: new HostsStore({ layout }), ns: 'default', id: ID, mode: 'cni', hostResolvConf: 'nameserver 10.0.0.2\n' }),
      /ELOOP/,
    );
    assert.equal(await readFile(join(outside, 'precious'), 'utf8'), PRECIOUS);
  });

  it('a name entry that is a symlink: refused, neither read nor replaced through', async () => {
    await fresh();
    await mkdir(layout.namesRoot('default'), { recursive: true });
    await symlink(join(outside, 'precious'), layout.namePath('default', 'web'));
    const names = new NameStore({ layout });
    await assert.rejects(names.acquire('default', 'web', ID), (e: unknown) => NerdnetError.is(e) && /is a symbolic link/.test(e.message));
    await assert.rejects(names.lookup('default', 'web'), /is a symbolic link/);
    assert.deepEqual([...(await names.list('default')).keys()], []);
    assert.equal(await readFile(join(outside, 'precious'), 'utf8'), PRECIOUS);
  });
});

describe('CNI_ARGS cannot be smuggled in a value', () => {
  it('a ";" in a value (a hostname or IP from annotations) is refused, not passed to the plugins', () => {
    for (const args of [[['NERDCTL_CNI_DHCP_HOSTNAME', 'h;IP=10.0.0.9']], [['IP', '10.0.0.5;MAC=02:00:00:00:00:01']], [['A;B', '1']], [['', 'x']]] as Array<Array<[string, string]>>) {
      assert.throws(() => pluginEnv({ command: 'ADD', args, path: [] }), (e: unknown) => NerdnetError.is(e) && e.code === 'ERR_INVALID_ARG' && /invalid CNI_ARGS pair/.test(e.message));
    }
    assert.equal(pluginEnv({ command: 'ADD', args: [['IgnoreUnknown', '1'], ['IP', '10.0.0.5/24']], path: [] }).CNI_ARGS, 'IgnoreUnknown=1;IP=10.0.0.5/24');
  });
});

const cliSkip = containerSkipReason() ?? (existsSync(BUNDLE) ? undefined : 'needs the bundle: npm run build');

describe('hostile values through the CLI and a hand-written bundle', { skip: cliSkip, timeout: 180_000 }, () => {
  let env: ContainerTestEnv;
  let outside: string;

  const cli = (args: string[], input = '') => {
    const r = spawnSync(process.execPath, [BUNDLE, '--data-root', env.dataRoot, '--address', join(env.dir, 'no-containerd.sock'), ...args], {
      encoding: 'utf8',
      input,
      env: { ...process.env, NERDNET_RUNC_ROOT: env.runcRoot, NETCONFPATH: join(env.dir, 'net.d'), NERDNET_CNI_CACHE_DIR: join(env.dir, 'cni'), NERDNET_RUN_DIR: join(env.dir, 'run') },
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const stateOf = (annotations: Record<string, string>, id = ID) => JSON.stringify({ ociVersion: '1.0.2', id, status: 'creating', pid: process.pid, bundle: '/nonexistent', annotations });

  before(async () => {
    env = await ContainerTestEnv.create('hostile');
    outside = join(env.dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'oci-hook.createRuntime.log'), PRECIOUS);
    const r = cli(['image', 'load', '-i', await busyboxImageArchive()]);
    assert.equal(r.status, 0, r.stderr);
  });
  after(async () => {
    await env.cleanup();
  });

  // [flags, what the message must name]
  const BAD: Array<[string[], RegExp]> = [
    [['--name', '../x'], /invalid container name "\.\.\/x"/],
    [['--name', 'a/b'], /invalid container name "a\/b"/],
    [['--hostname', 'a b'], /invalid --hostname "a b"/],
    [['--hostname', 'h;IP=10.0.0.9'], /invalid --hostname "h;IP=10\.0\.0\.9"/],
    [['--domainname', 'x\ny'], /invalid --domainname "x\\ny"/],
    [['--add-host', 'a b:10.0.0.1'], /"a b"/],
    [['--add-host', 'db:10.0.0.1\n6.6.6.6 evil'], /add-host/],
    [['--dns', '10.0.0.1\nnameserver 6.6.6.6'], /invalid --dns value/],
    [['--dns-search', 'a/b'], /invalid --dns-search value "a\/b"/],
    [['--dns-opt', 'ndots:1\nnameserver 6.6.6.6'], /invalid --dns-opt value/],
    [['--mac-address', '02:42:ac:11:00:02;IP=1'], /mac/i],
    [['--ip', '10.4.0.5;MAC=x'], /10\.4\.0\.5;MAC=x/],
    [['-p', '80:80;x'], /80:80;x/],
    // Accepted before, then used (a CIDR), ignored (--ip6 on the IPv4-only bridge, a host IP of no
    // interface) or failed at start in the bridge plugin (a multicast MAC).
    [['--ip', '10.4.0.7/24'], /invalid --ip "10\.4\.0\.7\/24": give an address without a prefix length/],
    [['--ip', '10.4.0.1'], /--ip 10\.4\.0\.1 is the gateway of network "bridge"/],
    [['--ip6', 'fd00:4::7'], /--ip6 fd00:4::7 cannot be used on network "bridge": it has no IPv6 subnet/],
    [['-p', '1.2.3.4:8080:80'], /invalid -p host IP 1\.2\.3\.4: it is not an address of this host/],
    [['--mac-address', '01:00:5e:00:00:01'], /--mac-address 01:00:5e:00:00:01: it is a multicast address/],
    [['--mac-address', 'ff:ff:ff:ff:ff:ff'], /broadcast/],
    [['--mac-address', '00:00:00:00:00:00'], /all-zero/],
  ];
  for (const [flags, re] of BAD) {
    it(`create ${JSON.stringify(flags)}: a clear error, nothing made`, () => {
      const r = cli(['create', ...flags, 'busybox', 'true']);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, re);
      assert.deepEqual(env.entries('containers/default'), []);
      assert.deepEqual(env.entries('names/default'), []);
      assert.deepEqual(env.entries('etchosts/default'), []);
    });
  }

  it('-p on loopback addresses and the wildcards is still accepted', () => {
    const r = cli(['create', '-p', '127.0.0.9:18080:80', '-p', '0.0.0.0:18081:80', '-p', '[::]:18082:80', '-p', '18083:80', 'busybox', 'true']);
    assert.equal(r.status, 0, r.stderr);
    const rm = cli(['rm', r.stdout.trim()]);
    assert.equal(rm.status, 0, rm.stderr);
    assert.deepEqual(env.entries('containers/default'), []);
  });

  it('a namespace or a network name that climbs out is refused', () => {
    const ns = cli(['-n', '../x', 'network', 'create', 'okname']);
    assert.notEqual(ns.status, 0);
    assert.match(ns.stderr, /invalid namespace "\.\.\/x"/);
    for (const [args, re] of [
      [['network', 'create', '../x'], /invalid network name "\.\.\/x"/],
      [['network', 'create', 'n1', '--driver', '../../bin/sh'], /unsupported cni driver "\.\.\/\.\.\/bin\/sh"/],
      [['network', 'create', 'n1', '--ipam-driver', '../x'], /unsupported ipam driver "\.\.\/x"/],
      [['network', 'create', 'n1', '--label', 'a\nb'], /.+/],
    ] as Array<[string[], RegExp]>) {
      const r = cli(args);
      if (args.includes('--label')) {
        // A label is data inside the JSON file, not a path: accepted, and written escaped.
        assert.equal(r.status, 0, r.stderr);
        cli(['network', 'rm', 'n1']);
        continue;
      }
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, re);
    }
    assert.deepEqual(existsSync(join(env.dir, 'net.d', 'default')) ? spawnSync('ls', [join(env.dir, 'net.d', 'default')], { encoding: 'utf8' }).stdout.trim() : '', '');
  });

  it('the hook refuses a state dir that is not this container\'s own, and writes nothing there', () => {
    const r = cli(['internal', 'oci-hook', 'createRuntime'], stateOf({ 'nerdctl/namespace': 'default', 'nerdctl/state-dir': outside, 'nerdctl/networks': '["none"]' }));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /annotation nerdctl\/state-dir is ".*outside", but this container's state dir is/);
    assert.deepEqual(spawnSync('ls', [outside], { encoding: 'utf8' }).stdout.trim(), 'oci-hook.createRuntime.log');
  });

  it('the hook does not truncate through a log file planted as a symlink', async () => {
    const layout = await openDataStore(env.dataRoot, join(env.dir, 'no-containerd.sock'));
    const stateDir = layout.stateDir('default', PEER);
    await mkdir(stateDir, { recursive: true });
    await symlink(join(outside, 'oci-hook.createRuntime.log'), join(stateDir, 'oci-hook.createRuntime.log'));
    const r = cli(['internal', 'oci-hook', 'createRuntime'], stateOf({ 'nerdctl/namespace': 'default', 'nerdctl/state-dir': stateDir, 'nerdctl/networks': '["none"]' }, PEER));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ELOOP/);
    assert.equal(await readFile(join(outside, 'oci-hook.createRuntime.log'), 'utf8'), PRECIOUS);
  });

  it('hostile annotations fail the hook with a clear error', () => {
    const base = { 'nerdctl/namespace': 'default', 'nerdctl/networks': '["none"]' };
    for (const [ann, re] of [
      [{ ...base, 'nerdctl/namespace': '../x' }, /namespace must be set/],
      [{ ...base, 'nerdctl/state-dir': '/tmp/../etc' }, /without "\.\."/],
      [{ ...base, 'nerdctl/networks': '"bridge"' }, /must be a JSON array of strings/],
      [{ ...base, 'nerdctl/hostname': 'a\nb' }, /control character/],
    ] as Array<[Record<string, string>, RegExp]>) {
      const r = cli(['internal', 'oci-hook', 'createRuntime'], stateOf({ 'nerdctl/state-dir': '/nonexistent/state', ...ann }));
      assert.notEqual(r.status, 0, JSON.stringify(ann));
      assert.match(r.stderr, re);
    }
    assert.equal(existsSync('/nonexistent'), false);
  });
});

describe("file modes are nerdctl's", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerdnet-modes-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('state dir 0700, resolv.conf/hostname/hosts 0644, meta.json and names 0600, store dirs 0700', async () => {
    const old = process.umask(0o022);
    try {
      const layout = await openDataStore(join(dir, 'root'), join(dir, 'none.sock'));
      const hostsStore = new HostsStore({ layout });
      const out = await prepareContainerFiles({ layout, hostsStore, ns: 'default', id: ID, mode: 'cni', hostResolvConf: 'nameserver 10.0.0.2\n' });
      await hostsStore.acquire({ ns: 'default', id: ID, meta: { name: 'web', hostname: 'web', networks: { n1: { ips: [{ address: '10.4.1.2/24' }] } } } });
      await new NameStore({ layout }).acquire('default', 'web', ID);
      const modes = {
        dataRoot: await mode(join(dir, 'root')),
        store: await mode(layout.root),
        stateDir: await mode(layout.stateDir('default', ID)),
        resolvConf: await mode(out.resolvConfPath),
        hostname: await mode(out.hostnamePath ?? ''),
        etchosts: await mode(layout.etchostsRoot('default')),
        hosts: await mode(out.hostsPath),
        meta: await mode(layout.hostsMetaPath('default', ID)),
        names: await mode(layout.namesRoot('default')),
        name: await mode(layout.namePath('default', 'web')),
      };
      assert.deepEqual(modes, { dataRoot: '700', store: '700', stateDir: '700', resolvConf: '644', hostname: '644', etchosts: '700', hosts: '644', meta: '600', names: '700', name: '600' });
    } finally {
      process.umask(old);
    }
  });
});
