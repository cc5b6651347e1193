// End to end, as a user runs it: `nerdnet run` starts busybox containers with runc, runc calls
// nerdnet's OCI hook, the hook attaches Debian's CNI plugins. Peers by name, isolation between
// networks, two networks at once, run flags seen inside, published ports from the host's
// loopback, host/none modes, stop/start, self-exit release, failures — and no leaks, ever.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';
import { busyboxImageArchive } from './helpers/busybox-image.js';
import { cniChains, rootSkipReason, rulesMentioning, uniqueTag, removeNetworkLeftovers, type ChainSnapshot } from './helpers/host.js';
import { cliKit } from './helpers/cli-kit.js';
import { leaksOf } from './helpers/leaks.js';

const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']);

describe('containers on CNI networks (runc + hook + Debian plugins)', { skip, timeout: 600_000 }, () => {
  const tag = uniqueTag();
  let env: ContainerTestEnv;
  let chains: ChainSnapshot;
  let conf: string;
  let cacheDir: string;

  const nn = (args: string[]) => env.cli(['--cni-netconfpath', conf, '--cni-path', '/usr/lib/cni', ...args], { env: { NERDNET_CNI_CACHE_DIR: cacheDir, NERDNET_RUN_DIR: join(env.dir, 'run') } });
  const { ids, networks, ok, runD, network } = cliKit(nn, `nnt-${tag}`);
  // One container's leftovers; the final audit (`all`) also counts veths on the test's bridges.
  const audit = (only?: string[], all = false, networkOnly = false) =>
    leaksOf(
      { cniIDs: (only ?? ids).map((i) => `default-${i}`), ids: networkOnly ? [] : (only ?? ids), networks: networks.map((n) => n.name), cacheDir, store: env.store() },
      all ? networks.map((n) => n.bridge) : [],
    );

  before(async () => {
    chains = cniChains();
    env = await ContainerTestEnv.create('e2e');
    conf = join(env.dir, 'net.d');
    cacheDir = join(env.dir, 'cni');
    ok(['image', 'load', '-i', await busyboxImageArchive()]);
  });

  after(async () => {
    for (const id of ids) nn(['rm', '-f', id]);
    const leaks = audit(undefined, true);
    for (const n of networks) nn(['network', 'rm', n.name]);
    // The firewall plugin's isolation rules name the bridge; network rm removes them.
    leaks.push(...networks.flatMap((n) => rulesMentioning(n.bridge)));
    await env.cleanup();
    removeNetworkLeftovers(networks, chains);
    assert.deepEqual(leaks, []);
  });

  it('two containers on one network reach each other by name; a third network does not see them', () => {
    const a = network('a');
    const b = network('b');
    runD(['--name', `web-${tag}`, '--network', a.name, 'busybox', 'sh', '-c', 'echo hello-by-name > /index.html; exec httpd -f -p 80 -h /']);
    const out = ok(['run', '--rm', '--network', a.name, 'busybox', 'sh', '-c', `ping -c1 -W2 web-${tag} >/dev/null && echo PING-OK; wget -qO- http://web-${tag}/index.html`]);
    assert.match(out, /PING-OK/);
    assert.match(out, /hello-by-name/);
    const webIP = (JSON.parse(ok(["inspect", `web-${tag}`])) as Array<{ NetworkSettings: { IPAddress: string } }>)[0]?.NetworkSettings.IPAddress ?? "";
    assert.ok(webIP.startsWith(`${a.prefix}.`));
    const other = nn(['run', '--rm', '--network', b.name, 'busybox', 'sh', '-c', `grep -c web-${tag} /etc/hosts; ping -c1 -W1 ${webIP} && echo REACHED`]);
    assert.doesNotMatch(other.stdout, /REACHED/, 'isolated by the firewall plugin');
    assert.match(other.stdout, /^0$/m, 'not in the other network\'s hosts file');
  });

  it('a container on two networks has eth0 and eth1 and resolves peers on both', () => {
    const [a, b] = [network('ma'), network('mb')];
    runD(['--name', `pa-${tag}`, '--network', a.name, 'busybox', 'sleep', '300']);
    runD(['--name', `pb-${tag}`, '--network', b.name, 'busybox', 'sleep', '300']);
    const out = ok(['run', '--rm', '--network', `${a.name},${b.name}`, 'busybox', 'sh', '-c', `ip -o -4 addr show eth0; ip -o -4 addr show eth1; ping -c1 -W2 pa-${tag} >/dev/null && echo A-OK; ping -c1 -W2 pb-${tag} >/dev/null && echo B-OK`]);
    assert.match(out, new RegExp(`eth0\\s+inet ${a.prefix.replace(/\./g, '\\.')}\\.`));
    assert.match(out, new RegExp(`eth1\\s+inet ${b.prefix.replace(/\./g, '\\.')}\\.`));
    assert.match(out, /A-OK/);
    assert.match(out, /B-OK/);
  });

  it('--ip, --mac-address, --hostname, --dns*, --add-host are visible inside', () => {
    const n = network('flags');
    const out = ok([
      'run', '--rm', '--network', n.name, '--ip', `${n.prefix}.77`, '--mac-address', '02:42:ac:11:00:77', '--hostname', 'myhost',
      '--dns', '10.9.9.9', '--dns-search', 'example.test', '--dns-opt', 'ndots:2', '--add-host', 'db:10.1.2.3', '--add-host', 'v6=fd00::1',
      'busybox', 'sh', '-c', 'ip -o -4 addr show eth0; cat /sys/class/net/eth0/address; hostname; cat /etc/resolv.conf; cat /etc/hosts',
    ]);
    assert.match(out, new RegExp(`inet ${n.prefix.replace(/\./g, '\\.')}\\.77/24`));
    assert.match(out, /^02:42:ac:11:00:77$/m);
    assert.match(out, /^myhost$/m);
    assert.match(out, /^nameserver 10\.9\.9\.9$/m);
    assert.match(out, /^search example\.test$/m);
    assert.match(out, /^options ndots:2$/m);
    assert.match(out, /^10\.1\.2\.3\s+db$/m);
    assert.match(out, /^fd00::1\s+v6$/m);
    assert.match(out, new RegExp(`^${n.prefix.replace(/\./g, '\\.')}\\.77\\s+myhost myhost\\.${n.name}`, 'm'));
  });

  it('published ports answer on the host loopback: TCP with host IP, a range, an automatic port, UDP', async () => {
    const n = network('ports');
    const base = 31000 + Math.floor(Math.random() * 2000);
    const id = runD(['--network', n.name, '-p', `127.0.0.1:${base}:80`, '-p', `${base + 10}-${base + 11}:8080-8081`, '-p', '127.0.0.1::90',
      'busybox', 'sh', '-c', 'echo p80 > /i80; echo p8081 > /i81; echo p90 > /i90; httpd -p 80 -h / ; httpd -p 8081 -h / ; exec httpd -f -p 90 -h /']);
    const fetch = (port: number, path: string) => execFileSync('busybox', ['wget', '-qO-', `http://127.0.0.1:${port}/${path}`], { encoding: 'utf8' });
    await ContainerTestEnv.until('httpd up', () => { try { return fetch(base, 'i80'); } catch { return undefined; } });
    assert.equal(fetch(base, 'i80').trim(), 'p80');
    assert.equal(fetch(base + 11, 'i81').trim(), 'p8081');
    const auto = ok(['port', id, '90']).trim();
    const autoPort = Number(/127\.0\.0\.1:(\d+)$/.exec(auto)?.[1]);
    assert.ok(autoPort >= 49153 && autoPort <= 60999, `automatic port ${auto}`);
    assert.equal(fetch(autoPort, 'i90').trim(), 'p90');
    assert.match(ok(['ps']), new RegExp(`127\\.0\\.0\\.1:${base}->80[,/]`));

    // busybox has no UDP server: the host's node answers, its files mounted read-only.
    const udpPort = base + 20;
    runD(['--network', n.name, '-p', `127.0.0.1:${udpPort}:53/udp`, '-v', '/usr:/usr:ro', '-v', '/lib:/lib:ro', '-v', '/lib64:/lib64:ro', 'busybox',
      process.execPath, '-e', "require('dgram').createSocket('udp4').on('message',function(m,r){this.send('udp-ok',r.port,r.address)}).bind(53)"]);
    const answer = await ContainerTestEnv.until('a UDP answer', () => {
      const r = spawnSync(process.execPath, ['-e', `const s=require('dgram').createSocket('udp4');s.on('message',m=>{process.stdout.write(m);process.exit(0)});s.send('hi',${udpPort},'127.0.0.1');setTimeout(()=>process.exit(1),1000)`], { encoding: 'utf8' });
      return r.status === 0 ? r.stdout : undefined;
    });
    assert.equal(answer, 'udp-ok');
  });

  it('host and none modes', () => {
    const none = ok(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
    assert.deepEqual(none.trim().split(/\s+/), ['lo']);
    const hostLinks = execFileSync('ls', ['/sys/class/net'], { encoding: 'utf8' }).trim().split(/\s+/).sort();
    const host = ok(['run', '--rm', '--network', 'host', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
    assert.deepEqual(host.trim().split(/\s+/).sort(), hostLinks);
  });

  it('container: mode joins the target\'s netns and files, follows it across restarts, refuses network flags', () => {
    const n = network('ctr');
    runD(['--name', `tgt-${tag}`, '--network', n.name, '--hostname', 'tgthost', 'busybox', 'sleep', '300']);
    const out = ok(['run', '--rm', '--network', `container:tgt-${tag}`, 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0; hostname; grep -c tgthost /etc/hosts']);
    const tgtIP = (JSON.parse(ok(['inspect', `tgt-${tag}`])) as Array<{ NetworkSettings: { IPAddress: string } }>)[0]?.NetworkSettings.IPAddress ?? '';
    assert.match(out, new RegExp(`inet ${tgtIP.replace(/\./g, '\\.')}/24`));
    assert.match(out, /^tgthost$/m);
    const refused = nn(['run', '--rm', '--network', `container:tgt-${tag}`, '-p', '80:80', 'busybox', 'true']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /not supported when using `--network=container:tgt-.*`: \[--publish\]/);
    runD(['--name', `side-${tag}`, '--network', `container:tgt-${tag}`, 'busybox', 'sleep', '300']);
    ok(['stop', '-t', '1', `tgt-${tag}`]);
    ok(['start', `tgt-${tag}`]);
    ok(['stop', '-t', '1', `side-${tag}`]);
    ok(['start', `side-${tag}`]);
    const newIP = (JSON.parse(ok(['inspect', `tgt-${tag}`])) as Array<{ NetworkSettings: { IPAddress: string } }>)[0]?.NetworkSettings.IPAddress ?? '';
    assert.match(ok(['exec', `side-${tag}`, 'ip', '-o', '-4', 'addr', 'show', 'eth0']), new RegExp(`inet ${newIP.replace(/\./g, '\\.')}/24`));
    ok(['rm', '-f', `side-${tag}`]);
    ok(['stop', '-t', '1', `tgt-${tag}`]);
    const stopped = nn(['run', '--rm', '--network', `container:tgt-${tag}`, 'busybox', 'true']);
    assert.match(stopped.stderr, /invalid target container: tgt-.*should be running/);
  });

  it('stop then start gives a working network again, and a self-exiting container releases its network', async () => {
    const n = network('restart');
    runD(['--name', `srv-${tag}`, '--network', n.name, 'busybox', 'sleep', '300']);
    ok(['stop', '-t', '1', `srv-${tag}`]);
    ok(['start', `srv-${tag}`]);
    assert.match(ok(['run', '--rm', '--network', n.name, 'busybox', 'sh', '-c', `ping -c1 -W2 srv-${tag} >/dev/null && echo BACK`]), /BACK/);

    const quick = runD(['--network', n.name, 'busybox', 'sleep', '1']);
    // Exited, not removed: its state stays, its network goes.
    // The network goes when runc deletes the container, a moment before the monitor records the exit.
    await ContainerTestEnv.until('the exited container to show Exited', () => (new RegExp(`${quick.slice(0, 12)}.*Exited`).test(ok(['ps', '-a'])) ? true : undefined));
    assert.match(ok(['ps', '-a']), new RegExp(`${quick.slice(0, 12)}.*Exited \\(0\\)`));
    assert.deepEqual(audit([quick], false, true), []);
    // Peers' hosts files drop it.
    assert.doesNotMatch(ok(['exec', `srv-${tag}`, 'cat', '/etc/hosts']), new RegExp(quick.slice(0, 12)));
  });

  it("a container that grows its /etc/hosts past 1 MiB: a peer's start works, cuts the file to its first lines and the block, warns once", async () => {
    const n = network('bighosts');
    const big = runD(['--name', `big-${tag}`, '--network', n.name, 'busybox', 'sh', '-c', 'yes "10.9.9.9 own-line" | head -n 200000 >> /etc/hosts; exec sleep 300']);
    const file = join(env.store(), 'etchosts', 'default', big, 'hosts');
    await ContainerTestEnv.until('the container to grow its /etc/hosts', () => (statSync(file).size > 3_000_000 ? true : undefined));
    const logOf = (id: string) => readFileSync(join(env.store(), 'containers', 'default', id, 'oci-hook.createRuntime.log'), 'utf8');

    const peer = runD(['--name', `peer-${tag}`, '--network', n.name, 'busybox', 'sleep', '300']);
    // The bind mount's source: what the container reads at /etc/hosts.
    const inside = readFileSync(file, 'utf8');
    assert.ok(inside.length <= 1024 * 1024, `${inside.length} bytes`);
    assert.match(ok(['exec', `big-${tag}`, 'sh', '-c', `wc -c < /etc/hosts; grep -c peer-${tag} /etc/hosts`]), new RegExp(`^${inside.length}\\n1\\n$`));
    assert.ok(inside.startsWith('10.9.9.9 own-line\n'));
    assert.equal(inside.split('# <nerdctl>').length, 2);
    const block = inside.slice(inside.indexOf('# <nerdctl>'));
    assert.match(block, new RegExp(`^${n.prefix.replace(/\./g, '\\.')}\\.\\d+ +\\S+ .*peer-${tag}`, 'm'));
    assert.ok(block.endsWith('# </nerdctl>\n'));
    assert.match(logOf(peer), /etchosts\/default\/[0-9a-f]+\/hosts \(container [0-9a-f]+\) is over 1 MiB/);
    assert.ok(existsSync(join(env.store(), 'etchosts', 'default', big, 'hosts.over-cap')));

    // A later start in another hook process: the block follows, the warning is not repeated.
    const third = runD(['--name', `third-${tag}`, '--network', n.name, 'busybox', 'sleep', '300']);
    assert.match(readFileSync(file, 'utf8'), new RegExp(`third-${tag}`));
    assert.doesNotMatch(logOf(third), /over 1 MiB/);
  });

  it('rm leaves nothing of the container on the host', () => {
    const n = network('rm');
    const id = runD(['--network', n.name, '-p', '127.0.0.1::80', 'busybox', 'sleep', '300']);
    assert.notDeepEqual(audit([id]), [], 'the audit sees a live container');
    ok(['rm', '-f', id]);
    assert.deepEqual(audit([id]), []);
  });

  describe('failures are clear and leave nothing', () => {
    let server: Server;
    let busyPort: number;
    before(async () => {
      server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      busyPort = (server.address() as { port: number }).port;
    });
    after(() => server.close());

    const cases: Array<[string, () => string[], RegExp]> = [
      ['a port already in use', () => ['-p', `127.0.0.1:${busyPort}:80`], /port is already allocated|already in use/],
      ['an --ip outside the subnet', () => ['--ip', '10.201.99.5'], /--ip 10\.201\.99\.5 is outside network/],
      ['a missing network', () => ['--network', `nnt-${tag}-nope`], /no such network: "nnt-.*-nope"/],
    ];
    for (const [what, extra, re] of cases) {
      it(what, () => {
        const n = networks.find((x) => x.name.endsWith('-fail')) ?? network('fail');
        const before = env.entries('containers/default').length;
        const r = nn(['run', '-d', '--name', `f-${tag}`, '--network', n.name, ...extra(), 'busybox', 'sleep', '30']);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, re);
        assert.equal(env.entries('containers/default').length, before, 'no state dir left');
        assert.ok(!env.entries('names/default').includes(`f-${tag}`), 'name released');
      });
    }

    it('a chained plugin failing after the bridge: the start fails, peers never see the name, nothing is left', () => {
      const n = network('chainfail');
      runD(['--name', `cfpeer-${tag}`, '--network', n.name, 'busybox', 'sleep', '600']);
      // nerdctl's chain with a tuning sysctl that does not exist: tuning (the last plugin) fails
      // after bridge and host-local made the interface and the address.
      const file = [join(conf, 'default', `nerdctl-${n.name}.conflist`), join(conf, `nerdctl-${n.name}.conflist`)].find((f) => existsSync(f)) ?? '';
      const list = JSON.parse(readFileSync(file, 'utf8')) as { plugins: Array<Record<string, unknown>> };
      list.plugins = list.plugins.map((p) => (p.type === 'tuning' ? { ...p, sysctl: { 'net.ipv4.conf.eth0.no_such_knob': '1' } } : p));
      writeFileSync(file, JSON.stringify(list));
      const hostsBefore = env.entries('etchosts/default');
      const r = nn(['run', '-d', '--name', `cf-${tag}`, '--network', n.name, 'busybox', 'sleep', '30']);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /plugin type="tuning" failed \(add\)/);
      assert.doesNotMatch(ok(['exec', `cfpeer-${tag}`, 'cat', '/etc/hosts']), new RegExp(`cf-${tag}`));
      assert.deepEqual(env.entries('etchosts/default'), hostsBefore, 'no hosts store entry');
      // Only the peer's address, cache entry and veth are left on the network.
      const leases = readdirSync(join('/var/lib/cni/networks', n.name)).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip'));
      assert.equal(leases.length, 1, `leases: ${leases.join(', ')}`);
      assert.equal(readdirSync(join(cacheDir, 'results')).filter((f) => f.startsWith(`${n.name}-`)).length, 1);
      const veths = JSON.parse(execFileSync('ip', ['-json', 'link', 'show', 'master', n.bridge], { encoding: 'utf8' })) as unknown[];
      assert.equal(veths.length, 1);
      // The rollback's DEL got the chain's result so far as prevResult (cached when tuning failed):
      // firewall took its CNI-FORWARD rules for the failed address with it.
      const peerIP = (JSON.parse(ok(['inspect', `cfpeer-${tag}`])) as Array<{ NetworkSettings: { IPAddress: string } }>)[0]?.NetworkSettings.IPAddress ?? '';
      const rules = rulesMentioning(`${n.prefix}.`).filter((r) => !r.includes(`${peerIP}/`) && !r.includes(`${n.subnet}`));
      assert.deepEqual(rules, []);
    });

    it('a missing plugin binary', () => {
      const n = networks.find((x) => x.name.endsWith('-fail')) ?? network('fail');
      const before = env.entries('containers/default').length;
      const r = env.cli(['--cni-netconfpath', conf, '--cni-path', join(env.dir, 'no-plugins'), 'run', '-d', '--network', n.name, 'busybox', 'sleep', '30'], {
        env: { NERDNET_CNI_CACHE_DIR: cacheDir, NERDNET_RUN_DIR: join(env.dir, 'run') },
      });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /failed to find plugin "bridge"/);
      assert.equal(env.entries('containers/default').length, before);
      assert.deepEqual(env.runcIds().filter((i) => !ids.includes(i)), []);
    });
  });
});
