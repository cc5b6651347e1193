// The lazily created default network and its fixes: a stale nerdctl0 address no longer
// blocks re-creation (nerdctl#1369); concurrent callers create it once.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHost, fakePluginDir } from '../../../test/helpers/network-fakes.js';
import { createNetwork } from './create.js';
import { defaultNetworkRequest, ensureDefaultNetwork } from './default-network.js';
import type { NetworkEnv } from './types.js';

let conf: string;
let plugins: { dir: string; remove: () => Promise<void> };
let host: FakeHost;
let env: NetworkEnv;

beforeEach(async () => {
  conf = await mkdtemp(join(tmpdir(), 'nerdnet-default-'));
  plugins = await fakePluginDir();
  host = new FakeHost();
  env = { netconfPath: conf, namespace: 'default', pluginDirs: [plugins.dir], host };
});
afterEach(async () => {
  await rm(conf, { recursive: true, force: true });
  await plugins.remove();
});

describe('ensureDefaultNetwork', () => {
  it('creates <netconf>/nerdctl-bridge.conflist once, whatever the namespace', async () => {
    const results = await Promise.all([ensureDefaultNetwork(env), ensureDefaultNetwork({ ...env, namespace: 'other' }), ensureDefaultNetwork(env)]);
    assert.deepEqual(results.map((r) => r.created).filter(Boolean), [true]);
    assert.equal(results[0]?.network.file, join(conf, 'nerdctl-bridge.conflist'));
    assert.equal(results[0]?.network.id, '17f29b073143d8cd97b5bbe492bdeffec1c5fee55cc1fe2112c8b9335f8b6121');
    assert.match(await readFile(join(conf, 'nerdctl-bridge.conflist'), 'utf8'), /"subnet": "10\.4\.0\.0\/24"/);
  });

  it('--bridge-ip sets gateway and subnet; bad values are refused with the value', async () => {
    await assert.rejects(ensureDefaultNetwork(env, { bridgeIP: '10.1.100.1' }), /invalid bridge ip 10\.1\.100\.1: missing "\/<prefix length>"/);
    await assert.rejects(ensureDefaultNetwork(env, { bridgeIP: '10.1.100.0/24' }), /invalid bridge ip 10\.1\.100\.0\/24: that is the subnet's network address; .* e\.g\. 10\.1\.100\.1\/24/);
    const d = await ensureDefaultNetwork(env, { bridgeIP: '10.1.100.1/24' });
    const text = await readFile(d.network.file, 'utf8');
    assert.match(text, /"gateway": "10\.1\.100\.1",\s+"subnet": "10\.1\.100\.0\/24"/);
  });

  it('uses an existing network named bridge, even one made with flags; a labelled other network is not the default', async () => {
    // As an old version or a hand could write it: the label alone makes nothing the default.
    await mkdir(join(conf, 'default'), { recursive: true });
    await writeFile(join(conf, 'default', 'nerdctl-mydefault.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'mydefault', nerdctlID: 'x', nerdctlLabels: { 'nerdctl/default-network': 'true' }, plugins: [{ type: 'bridge' }] }));
    const made = await createNetwork(env, { name: 'bridge', subnets: ['10.9.0.0/24'] });
    assert.equal(made.path, join(conf, 'nerdctl-bridge.conflist'));
    assert.equal(made.bridge, 'nerdctl0');
    const d = await ensureDefaultNetwork(env);
    assert.deepEqual([d.created, d.network.name, d.network.labels], [false, 'bridge', { 'nerdctl/default-network': 'true' }]);
  });

  it('a stale nerdctl0 holding 10.4.0.1/24 does not block re-creation (nerdctl#1369)', async () => {
    host.addrs.push({ ifname: 'nerdctl0', address: '10.4.0.1', prefix: 24 });
    const d = await ensureDefaultNetwork(env);
    assert.equal(d.created, true);
    assert.deepEqual(d.warnings, []);
  });

  it('another interface holding 10.4.0.0/24 is a real conflict, named', async () => {
    host.addrs.push({ ifname: 'tun0', address: '10.4.0.77', prefix: 24 });
    await assert.rejects(ensureDefaultNetwork(env), /failed to create default network: subnet 10\.4\.0\.0\/24 overlaps with the address 10\.4\.0\.77\/24 on host interface tun0/);
  });

  it('an unreadable nerdctl-bridge.conflist is reported, not overwritten', async () => {
    await writeFile(join(conf, 'nerdctl-bridge.conflist'), 'garbage');
    await assert.rejects(ensureDefaultNetwork(env), /nerdctl-bridge\.conflist/);
    assert.equal(await readFile(join(conf, 'nerdctl-bridge.conflist'), 'utf8'), 'garbage');
  });

  it('the label is the plan\'s: the request carries none, the file has it', async () => {
    assert.equal(defaultNetworkRequest().labels, undefined);
    const d = await ensureDefaultNetwork(env);
    assert.deepEqual(d.network.labels, { 'nerdctl/default-network': 'true' });
  });
});
