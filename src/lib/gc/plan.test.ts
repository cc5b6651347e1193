// The collector on files only (no root): a temp data store, conf dir, cache and lease dir, the noop
// fixture plugin speaking CNI 1.1.0 (so CNI GC runs), liveness from cached netns paths.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CniConfig } from '../cni/api.js';
import { selfIdentity } from '../host/process-identity.js';
import { DataStoreLayout } from '../store/layout.js';
import { findGarbage, releaseGarbage, type GcEnv } from './index.js';
import { dnatChainName } from '../host/iptables.js';
import { ownerOfCniID } from './liveness.js';

const PLUGINS = fileURLToPath(new URL('../../../test/fixtures/plugins', import.meta.url));
const id = (c: string) => c.repeat(64);
const skipIptables = process.getuid?.() !== 0 ? 'reads iptables rules (root)' : undefined;

describe('gc plan and release (files, fixture plugin)', { skip: skipIptables }, () => {
  let dir: string;
  let env: GcEnv;
  let log: string;
  const live = id('a');
  const dead = id('b');
  const leaseOnly = id('c');
  const removed = id('d');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerdnet-gcu-'));
    const conf = join(dir, 'net.d');
    const leases = join(dir, 'leases');
    log = join(dir, 'commands.jsonl');
    writeFileSync(join(dir, 'debug.json'), JSON.stringify({ commandLog: log }));
    mkdirSync(conf);
    const list = { cniVersion: '1.1.0', name: 'gcu', plugins: [{ type: 'noop', debugFile: join(dir, 'debug.json'), ipam: { type: 'host-local', dataDir: leases } }] };
    writeFileSync(join(conf, 'gcu.conflist'), JSON.stringify(list));
    const layout = new DataStoreLayout(join(dir, 'store'));
    env = { layout, namespace: 'default', netconfPath: conf, cni: new CniConfig({ path: [PLUGINS], cacheDir: join(dir, 'cni') }), runDir: join(dir, 'run'), foreignRuncRoots: [join(dir, 'runc')], log: () => {} };
    // Cache: the live container's netns file exists (any file that is not this process's netns),
    // the dead one's is gone.
    const netnsFile = join(dir, 'netns-live');
    writeFileSync(netnsFile, '');
    const bytes = Buffer.from(JSON.stringify(list));
    await env.cni.cache.write({ name: 'gcu', bytes }, { containerID: `default-${live}`, netns: netnsFile, ifName: 'eth0' }, { cniVersion: '1.1.0', ips: [{ address: '10.200.250.2/24' }] });
    await env.cni.cache.write({ name: 'gcu', bytes }, { containerID: `default-${dead}`, netns: '/proc/999999999/ns/net', ifName: 'eth0' }, { cniVersion: '1.1.0', ips: [{ address: '10.200.250.3/24' }] });
    mkdirSync(join(leases, 'gcu'), { recursive: true });
    writeFileSync(join(leases, 'gcu', '10.200.250.2'), `default-${live}\r\neth0`);
    writeFileSync(join(leases, 'gcu', '10.200.250.3'), `default-${dead}\r\neth0`);
    writeFileSync(join(leases, 'gcu', '10.200.250.4'), `default-${leaseOnly}\r\neth0`);
    writeFileSync(join(leases, 'gcu', '10.200.250.9'), 'k8s-sandbox-1\r\neth0');
    // Store: a stopped (nerdctl-style, no record) container with a CNI hosts record, and a name of a removed one.
    mkdirSync(layout.stateDir('default', dead), { recursive: true });
    mkdirSync(layout.etchostsDir('default', dead), { recursive: true });
    writeFileSync(layout.hostsMetaPath('default', dead), JSON.stringify({ ID: dead, Networks: { gcu: {} }, Hostname: 'x', ExtraHosts: {}, Name: 'deadone', Domainname: '' }));
    writeFileSync(join(layout.etchostsDir('default', dead), 'hosts'), '');
    mkdirSync(layout.namesRoot('default'), { recursive: true });
    writeFileSync(layout.namePath('default', 'gone'), removed);
    // A container of a foreign runtime (runc state under its root) is live though it has no netns in the cache.
    mkdirSync(join(dir, 'runc', 'default', id('e')), { recursive: true });
    writeFileSync(join(leases, 'gcu', '10.200.250.5'), `default-${id('e')}\r\neth0`);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses only nerdctl-shaped CNI IDs', () => {
    assert.deepEqual(ownerOfCniID(`ns.1-${dead}`), { ns: 'ns.1', id: dead, cid: `ns.1-${dead}` });
    assert.equal(ownerOfCniID('k8s-sandbox-1'), undefined);
    assert.equal(ownerOfCniID(`../x-${dead}`), undefined);
  });

  it('names portmap\'s DNAT chain as the plugin does (seen on a real host)', () => {
    assert.equal(dnatChainName('nng-668db6-a', 'default-8feebe810ee9d1b312607b0f0a555c9494465ff703f60b299acd841006f00e53'), 'CNI-DN-d23880f7a553242206984');
  });

  it('plans CNI GC, the dead attachment, the orphan lease, the hosts record and the name; nothing of live or foreign containers', async () => {
    const plan = await findGarbage(env);
    const lines = plan.items.map((i) => `${i.kind}: ${i.line}`);
    assert.deepEqual(lines, [
      'cni-gc: CNI GC of network gcu (CNI 1.1.0), keeping 1 attachment(s) in use',
      `attachment: attachment default-${dead.slice(0, 12)} eth0 on gcu (10.200.250.3/24): CNI DEL with the cached config`,
      `lease: lease 10.200.250.4 on gcu of default-${leaseOnly.slice(0, 12)}`,
      `hosts-entry: hosts record (meta.json) of stopped default-${dead.slice(0, 12)}: its name leaves its peers' hosts files`,
      `name: name gone (namespace default) of removed container ${removed.slice(0, 12)}`,
    ]);
    assert.ok(plan.notes.some((n) => n.includes(`kept default-${id('e').slice(0, 12)}: runc state`)), plan.notes.join('\n'));
  });

  it('releases the plan: GC with the valid attachment, DEL of the dead one; a second plan is empty', async () => {
    const report = await releaseGarbage(env, await findGarbage(env));
    assert.equal(report.failed, 0, JSON.stringify(report.results.map((r) => r.detail)));
    assert.equal(report.released, 5);
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { env: Record<string, string>; stdin: Record<string, unknown> });
    const gc = calls.find((c) => c.env.CNI_COMMAND === 'GC');
    assert.deepEqual(gc?.stdin['cni.dev/valid-attachments'], [{ containerID: `default-${live}`, ifname: 'eth0' }]);
    assert.ok(calls.some((c) => c.env.CNI_COMMAND === 'DEL' && c.env.CNI_CONTAINERID === `default-${dead}`));
    assert.ok(!calls.some((c) => c.env.CNI_CONTAINERID === `default-${live}`), 'nothing is run for the live container');
    assert.ok(await env.cni.cache.read('gcu', `default-${live}`, 'eth0'));
    assert.equal(await env.cni.cache.read('gcu', `default-${dead}`, 'eth0'), undefined);
    const leases = join(dir, 'leases', 'gcu');
    assert.equal(existsSync(join(leases, '10.200.250.4')), false);
    for (const kept of ['10.200.250.2', '10.200.250.5', '10.200.250.9']) assert.ok(existsSync(join(leases, kept)), kept);
    assert.equal(existsSync(env.layout.hostsMetaPath('default', dead)), false);
    assert.ok(existsSync(join(env.layout.etchostsDir('default', dead), 'hosts')), 'a stopped container keeps its hosts file');
    assert.equal(existsSync(env.layout.namePath('default', 'gone')), false);
    assert.deepEqual((await findGarbage(env)).items, []);
  });

  it('a container attached after the plan keeps its attachment: release names the valid ones again', async () => {
    const late = id('f');
    const bytes = readFileSync(join(env.netconfPath, 'gcu.conflist'));
    await env.cni.cache.write({ name: 'gcu', bytes }, { containerID: `default-${id('9')}`, netns: '/proc/999999999/ns/net', ifName: 'eth0' }, { cniVersion: '1.1.0' });
    const plan = await findGarbage(env);
    assert.ok(plan.items.some((i) => i.kind === 'cni-gc'));
    await env.cni.cache.write({ name: 'gcu', bytes }, { containerID: `default-${late}`, netns: join(dir, 'netns-live'), ifName: 'eth0' }, { cniVersion: '1.1.0' });
    const report = await releaseGarbage(env, plan);
    assert.equal(report.failed, 0);
    assert.ok(await env.cni.cache.read('gcu', `default-${late}`, 'eth0'), 'the late container keeps its attachment');
    assert.equal(await env.cni.cache.read('gcu', `default-${id('9')}`, 'eth0'), undefined);
  });

  it('a create whose process is gone loses its state dir, name, hosts entry and journal; one still running is kept', async () => {
    const { layout } = env;
    const half = id('7');
    const running = id('8');
    const me = await selfIdentity();
    for (const [rid, name, creator] of [[half, 'half', { ...me, pid: 999_999_999 }], [running, 'creating', me]] as const) {
      mkdirSync(layout.stateDir('default', rid), { recursive: true });
      writeFileSync(join(layout.stateDir('default', rid), 'hostname'), 'x');
      mkdirSync(layout.etchostsDir('default', rid), { recursive: true });
      writeFileSync(layout.hostsPath('default', rid), '');
      writeFileSync(layout.namePath('default', name), rid);
      mkdirSync(layout.createJournalRoot('default'), { recursive: true });
      writeFileSync(layout.createJournalPath('default', rid), JSON.stringify({ version: 1, creator, record: { id: rid, name } }));
    }
    // nerdctl's state dir: no nerdnet.json, no bundle, no journal.
    const nerdctls = id('6');
    mkdirSync(layout.stateDir('default', nerdctls), { recursive: true });
    const plan = await findGarbage(env);
    assert.deepEqual(plan.items.map((i) => `${i.kind}: ${i.line}`), [
      `hosts-dir: hosts store entry etchosts/default/${half.slice(0, 12)} of a removed container`,
      `name: name half (namespace default) of removed container ${half.slice(0, 12)}`,
      `state-dir: state dir containers/default/${half.slice(0, 12)} of a create that never finished`,
      `create-journal: create journal of default-${half.slice(0, 12)}: its create was interrupted`,
    ]);
    assert.ok(plan.notes.includes(`kept default-${running.slice(0, 12)}: it is being created (process ${me.pid})`), plan.notes.join('\n'));
    const report = await releaseGarbage(env, plan);
    assert.equal(report.released, 4, JSON.stringify(report.results.map((r) => r.detail)));
    for (const gone of [layout.stateDir('default', half), layout.etchostsDir('default', half), layout.namePath('default', 'half'), layout.createJournalPath('default', half)]) assert.equal(existsSync(gone), false, gone);
    for (const kept of [layout.stateDir('default', running), layout.namePath('default', 'creating'), layout.createJournalPath('default', running), layout.stateDir('default', nerdctls)]) assert.ok(existsSync(kept), kept);
  });
});
