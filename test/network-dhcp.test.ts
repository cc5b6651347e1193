// A dhcp network leases its address from a real DHCP server: busybox udhcpd in the test's own
// netns behind a veth on the network's bridge, and the CNI dhcp daemon on a private socket
// started by ensureDhcpDaemon (root, Debian's plugins, busybox).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CniConfig } from '../src/lib/cni/api.js';
import { confListFromBytes } from '../src/lib/cni/conf.js';
import { createNetwork } from '../src/lib/network/create.js';
import { dhcpSocketAlive, dhcpSocketOf, ensureDhcpDaemon } from '../src/lib/network/dhcp-daemon.js';
import { removeNetworks } from '../src/lib/network/remove.js';
import type { NetworkEnv } from '../src/lib/network/types.js';
import { DEBIAN_PLUGINS, TestNetns, cniChains, deleteLink, linkExists, removeNewChains, rootSkipReason, rulesMentioning, sh, tempDir, uniqueTag, type ChainSnapshot } from './helpers/host.js';
import { addressesIn, freeTestBlock, pidAlive } from './helpers/network-host.js';

const busybox = spawnSync('busybox', ['udhcpd', '--help'], { stdio: 'ignore' }).error ? 'needs busybox (apt-get install busybox-static)' : undefined;
const skip = rootSkipReason(['bridge', 'dhcp', 'portmap', 'firewall', 'tuning']) ?? busybox;

describe('dhcp network with a real DHCP server', { skip }, () => {
  const tag = uniqueTag();
  const server = `nn-${tag}-srv`;
  const client = `nn-${tag}-ctr`;
  const hostVeth = `nnv${tag}`;
  const srvVeth = `nnw${tag}`;
  const made = { netns: [] as TestNetns[], links: [] as string[], pids: [] as number[] };
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let chains: ChainSnapshot;
  let udhcpd: ChildProcess | undefined;
  let prefix: string;
  let env: NetworkEnv;

  before(async () => {
    dir = await tempDir('dhcp');
    chains = cniChains();
    [prefix = ''] = freeTestBlock(1);
    env = { netconfPath: join(dir.path, 'net.d'), namespace: 'test', pluginDirs: [DEBIAN_PLUGINS], dhcpSocketPath: join(dir.path, 'dhcp.sock') };
  });

  after(async () => {
    udhcpd?.kill('SIGTERM');
    for (const pid of made.pids) if (pidAlive(pid)) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && made.pids.some(pidAlive); i++) await sleep(100);
    for (const ns of made.netns) ns.remove();
    for (const l of made.links) deleteLink(l);
    removeNewChains(chains);
    await dir.remove();
    for (const pid of made.pids) assert.ok(!pidAlive(pid), `process ${pid} left running`);
    for (const ns of made.netns) assert.ok(!existsSync(ns.path), `netns ${ns.name} left behind`);
    for (const l of made.links) assert.ok(!linkExists(l), `link ${l} left behind`);
    assert.deepEqual(rulesMentioning(tag), []);
    assert.ok(!existsSync(dir.path));
  });

  it('gets a lease from udhcpd, releases it on DEL; rm removes the bridge', async () => {
    const net = await createNetwork(env, { name: `nn-${tag}-dhcp`, ipamDriver: 'dhcp' });
    const bridge = net.bridge ?? '';
    made.links.push(bridge, hostVeth);
    const list = confListFromBytes(await readFile(net.path), net.path);
    assert.equal(dhcpSocketOf(list), env.dhcpSocketPath);

    // The server side: a bridge named as the conflist names it, a veth into the server's netns.
    sh('ip', ['link', 'add', bridge, 'type', 'bridge']);
    sh('ip', ['link', 'set', bridge, 'up']);
    const srv = TestNetns.create(server);
    made.netns.push(srv);
    sh('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', srvVeth]);
    sh('ip', ['link', 'set', srvVeth, 'netns', server]);
    sh('ip', ['link', 'set', hostVeth, 'master', bridge, 'up']);
    srv.exec(['ip', 'addr', 'add', `${prefix}.2/24`, 'dev', srvVeth]);
    srv.exec(['ip', 'link', 'set', srvVeth, 'up']);
    const conf = join(dir.path, 'udhcpd.conf');
    await writeFile(
      conf,
      [`start ${prefix}.100`, `end ${prefix}.120`, `interface ${srvVeth}`, `lease_file ${join(dir.path, 'udhcpd.leases')}`, `pidfile ${join(dir.path, 'udhcpd.pid')}`, 'option subnet 255.255.255.0', 'option lease 600', ''].join('\n'),
    );
    await writeFile(join(dir.path, 'udhcpd.leases'), '');
    udhcpd = spawn('ip', ['netns', 'exec', server, 'busybox', 'udhcpd', '-f', '-a', '100', conf], { stdio: 'ignore' });
    if (udhcpd.pid) made.pids.push(udhcpd.pid);

    // The client side: the dhcp daemon on the private socket, then CNI ADD into the container netns.
    // What the attach path does for a dhcp network: make sure its daemon answers.
    const daemon = await ensureDhcpDaemon({ pluginDirs: env.pluginDirs, socketPath: dhcpSocketOf(list), logFile: join(dir.path, 'dhcp.log') });
    assert.equal(daemon.started, true);
    if (daemon.pid) made.pids.push(daemon.pid);
    assert.deepEqual(await ensureDhcpDaemon({ pluginDirs: env.pluginDirs, socketPath: env.dhcpSocketPath }), { socketPath: env.dhcpSocketPath, started: false });
    const ctr = TestNetns.create(client);
    made.netns.push(ctr);
    const cni = new CniConfig({ path: env.pluginDirs, cacheDir: join(dir.path, 'cache') });
    const rt = { containerID: `test-${tag}d`, netns: ctr.path, ifName: 'eth0', args: [['IgnoreUnknown', '1'], ['NERDCTL_CNI_DHCP_HOSTNAME', 'web']] as Array<[string, string]> };
    const result = await cni.addNetworkList(list, rt);
    const leased = addressesIn(ctr.addresses('eth0'), prefix);
    assert.equal(leased.length, 1, `eth0: ${ctr.addresses('eth0').join(' ')}; result ${JSON.stringify(result)}`);
    const host = Number((leased[0] ?? '').split('/')[0]?.split('.')[3]);
    assert.ok(host >= 100 && host <= 120, `leased ${leased[0]} from the udhcpd pool`);

    await cni.delNetworkList(list, rt);
    assert.ok(!ctr.hasLink('eth0'));
    const r = await removeNetworks(env, [net.name]);
    assert.deepEqual(r.errors, []);
    assert.ok(!linkExists(bridge));
    assert.ok(await dhcpSocketAlive(env.dhcpSocketPath ?? ''));
  });
});
