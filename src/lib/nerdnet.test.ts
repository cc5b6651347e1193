// The main flow without root: the composition root's services drive create -> attach -> detach ->
// remove with a fake runtime (it runs the bundle's hooks through the OCI hook's own code,
// in-process) and fake CNI plugins, against a temporary data store and conf dir.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakePlugins } from '../../test/helpers/fake-plugins.js';
import { FakeRuntime } from '../../test/helpers/fake-runtime.js';
import { containersService, type Containers } from './api/containers.js';
import { resolveSettings } from './api/settings.js';
import { wire, type Wiring } from './api/wiring.js';
import { findGarbage, releaseGarbage } from './gc/index.js';
import { runHook } from './hook/run.js';

const NS = 'default';

function result(prefix: string): string {
  return JSON.stringify({ cniVersion: '1.0.0', interfaces: [{ name: 'eth', mac: '02:00:00:00:00:01', sandbox: '/proc/1/ns/net' }], ips: [{ interface: 0, address: `${prefix}.2/24`, gateway: `${prefix}.1` }] });
}

describe('createNerdnet wiring: create -> attach -> detach -> remove (fake runtime, fake plugins)', () => {
  let dir: string;
  let fake: FakePlugins;
  let runtime: FakeRuntime;
  let w: Wiring;
  let containers: Containers;
  let dataStore: string;

  const conflist = async (name: string, debug: Parameters<FakePlugins['debugFile']>[1]) => {
    const debugFile = await fake.debugFile(name, debug);
    const id = Buffer.from(name.padEnd(32, '-')).toString('hex').slice(0, 64);
    await writeFile(join(dir, 'net.d', NS, `nerdctl-${name}.conflist`), JSON.stringify({ cniVersion: '1.0.0', name, nerdctlID: id, plugins: [{ type: 'bridge', debugFile }] }));
  };
  const cacheFiles = async () => (existsSync(join(dir, 'cni', 'results')) ? (await readdir(join(dir, 'cni', 'results'))).sort() : []);
  const hostsOf = (id: string) => readFile(join(dataStore, 'etchosts', NS, id, 'hosts'), 'utf8');
  const calls = async (command: string) => (await fake.calls()).filter((c) => c.env.CNI_COMMAND === command).map((c) => `${String(c.stdin.name)}/${c.env.CNI_IFNAME ?? ''}`);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerdnet-flow-'));
    fake = await FakePlugins.create(['bridge']);
    await mkdir(join(dir, 'net.d', NS), { recursive: true });
    await mkdir(join(dir, 'rootfs', 'bin'), { recursive: true });
    await conflist('net-a', { reportResult: result('10.9.1') });
    await conflist('net-b', { reportResult: result('10.9.2') });
    await conflist('net-bad', { reportError: 'no address left' });
    const settings = resolveSettings({
      dataRoot: join(dir, 'data'),
      address: join(dir, 'no-containerd.sock'),
      namespace: NS,
      cniPath: [fake.binDir],
      cniNetconfPath: join(dir, 'net.d'),
      cniCacheDir: join(dir, 'cni'),
      runDir: join(dir, 'run'),
      env: {},
    });
    runtime = new FakeRuntime((event, state) => runHook(event, state, (log) => w.hookEnv(log), () => {}));
    const self = { path: '/bin/false', args: [] };
    w = wire(settings, { hook: self, cli: self, globalArgs: [] }, { runtimes: runtime.drivers });
    containers = containersService(w.manager);
    dataStore = (await w.layout()).root;
  });

  after(async () => {
    await fake.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('attaches a container to two networks: addresses in meta.json and its hosts file, one cache entry per interface', async () => {
    const web = await containers.run({ rootfs: join(dir, 'rootfs'), name: 'web', networks: ['net-a', 'net-b'], command: ['httpd'] });
    assert.deepEqual(runtime.events, [{ event: 'createRuntime', id: web.id }]);
    const meta = JSON.parse(await readFile(join(dataStore, 'etchosts', NS, web.id, 'meta.json'), 'utf8')) as { Name: string; Networks: Record<string, unknown> };
    assert.equal(meta.Name, 'web');
    assert.deepEqual(Object.keys(meta.Networks).sort(), ['net-a', 'net-b']);
    const hosts = await hostsOf(web.id);
    assert.match(hosts, /^10\.9\.1\.2\s.*\bweb\b/m);
    assert.match(hosts, /^10\.9\.2\.2\s.*\bweb\b/m);
    assert.deepEqual(await cacheFiles(), [`net-a-${NS}-${web.id}-eth0`, `net-b-${NS}-${web.id}-eth1`]);
    const inspect = await web.inspect();
    assert.equal(inspect.State.Status, 'running');
    assert.equal(inspect.NetworkSettings.Networks?.['net-b']?.IPAddress, '10.9.2.2');
  });

  it("a peer's start adds its name to the first container's hosts file, its removal takes it out", async () => {
    const web = await containers.get('web');
    // The fake plugin answers with one address per network: the peer gets the next one.
    await fake.debugFile('net-a', { reportResult: result('10.9.1').replace('10.9.1.2/', '10.9.1.3/') });
    const peer = await containers.run({ rootfs: join(dir, 'rootfs'), name: 'peer', networks: ['net-a'], command: ['sleep'] });
    assert.match(await hostsOf(web.id), /^10\.9\.1\.3\s.*\bpeer\b/m);
    await fake.clearCalls();
    await peer.remove({ force: true });
    assert.deepEqual(await calls('DEL'), ['net-a/eth0'], 'the stop ran DEL once, through postStop');
    assert.doesNotMatch(await hostsOf(web.id), /\bpeer\b/);
    assert.equal(existsSync(join(dataStore, 'containers', NS, peer.id)), false);
    assert.equal(existsSync(join(dataStore, 'etchosts', NS, peer.id)), false);
  });

  it('a second network that fails rolls back the first: no cache entry, no hosts record, no name, no state dir', async () => {
    await fake.clearCalls();
    await assert.rejects(containers.run({ rootfs: join(dir, 'rootfs'), name: 'broken', networks: ['net-a', 'net-bad'], command: ['true'] }), /no address left/);
    assert.deepEqual((await calls('DEL')).sort(), ['net-a/eth0', 'net-bad/eth1'], 'every network of the attempt is DELed');
    const web = await containers.get('web');
    assert.deepEqual(await cacheFiles(), [`net-a-${NS}-${web.id}-eth0`, `net-b-${NS}-${web.id}-eth1`]);
    assert.doesNotMatch(await hostsOf(web.id), /\bbroken\b/);
    assert.deepEqual(await readdir(join(dataStore, 'containers', NS)), [web.id]);
    await assert.rejects(containers.get('broken'), /no such container/);
  });

  it('a container whose postStop never ran: rm detaches it from what the cache remembers', async () => {
    const lost = await containers.run({ rootfs: join(dir, 'rootfs'), name: 'lost', networks: ['net-b'], command: ['sleep'] });
    runtime.crash(lost.id);
    await fake.clearCalls();
    await lost.remove({ force: true });
    assert.deepEqual(await calls('DEL'), ['net-b/eth0'], 'rm ran the DEL postStop owed');
    const web = await containers.get('web');
    assert.deepEqual(await cacheFiles(), [`net-a-${NS}-${web.id}-eth0`, `net-b-${NS}-${web.id}-eth1`]);
    assert.doesNotMatch(await hostsOf(web.id), /\blost\b/);
  });

  it('gc releases a dead container\'s attachment through the same detach', { skip: process.getuid?.() === 0 ? false : 'the sweep reads iptables rules (root)' }, async () => {
    const dead = await containers.run({ rootfs: join(dir, 'rootfs'), name: 'dead', networks: ['net-b'], command: ['sleep'] });
    runtime.crash(dead.id);
    await fake.clearCalls();
    const env = await w.gcEnv(false);
    const plan = await findGarbage(env);
    assert.ok(plan.items.some((i) => i.kind === 'attachment' && i.owner.id === dead.id), plan.items.map((i) => i.line).join('\n'));
    const report = await releaseGarbage(env, plan);
    assert.equal(report.failed, 0, JSON.stringify(report.results));
    assert.deepEqual(await calls('DEL'), ['net-b/eth0']);
    assert.equal((await cacheFiles()).some((f) => f.includes(dead.id)), false);
    await dead.remove({ force: true });
  });

  it('remove detaches: DEL of both networks in reverse, cache entries and hosts record gone, the name free again', async () => {
    const web = await containers.get('web');
    await fake.clearCalls();
    await web.remove({ force: true });
    assert.deepEqual(await calls('DEL'), ['net-b/eth1', 'net-a/eth0']);
    assert.deepEqual(await cacheFiles(), []);
    assert.equal(existsSync(join(dataStore, 'etchosts', NS, web.id)), false);
    const again = await containers.run({ rootfs: join(dir, 'rootfs'), name: 'web', networks: ['net-a'], command: ['httpd'] });
    await again.remove({ force: true });
    assert.deepEqual(await cacheFiles(), []);
  });
});
