// -p with IPv6 host addresses on a dual-stack network (runc, the hook, Debian's portmap 1.1.1):
// `[::]:P:80` and `[<host IPv6>]:P:80` DNAT IPv6 to the container's IPv6 address; a plain `P:80`
// stays IPv4 only (0.0.0.0, as nerdctl); `[::1]:P:80` is refused before anything is made, since
// the kernel does not route ::1 to another interface (no route_localnet for IPv6). The network is
// the test's own ULA /64; traffic only to the host's own address on that bridge.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';
import { CrashRig } from './helpers/crash.js';
import { rootSkipReason, sh, shOk, testSubnet } from './helpers/host.js';

const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']) ?? (shOk('ip6tables', ['-w', '5', '-t', 'nat', '-S']) ? undefined : 'needs a working ip6tables');

describe('-p with IPv6 host addresses', { skip, timeout: 600_000 }, () => {
  let rig: CrashRig;
  let name: string;
  let gw6: string;

  before(async () => {
    rig = await CrashRig.create('portsv6');
    const v4 = testSubnet();
    // A random ULA /64, written as `ip` prints it (no leading zeros in a group).
    const group = () => randomBytes(2).readUInt16BE().toString(16);
    const ula = `fd${randomBytes(1).toString('hex')}:${group()}:${group()}:${group()}`;
    gw6 = `${ula}::1`;
    name = `nng-${rig.tag}-v6`;
    const id = rig.ok(['network', 'create', name, '--ipv6', '--subnet', v4.subnet, '--subnet', `${ula}::/64`]).trim();
    rig.networks.push({ name, bridge: `br-${id.slice(0, 12)}`, prefix: v4.prefix });
  });

  after(async () => {
    const leaks = await rig.cleanup();
    assert.deepEqual(leaks, []);
  });

  // Node's client: busybox's wget crashes on bracketed IPv6 URLs.
  const get = (host: string, port: number) =>
    new Promise<string | undefined>((resolve) => {
      const req = httpGet({ host, port, path: '/i', timeout: 3000 }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      });
      req.on('timeout', () => req.destroy()).on('error', () => resolve(undefined));
    });
  const reachable = async (host: string, port: number): Promise<string> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const body = await get(host, port);
      if (body !== undefined) return body;
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${host} port ${port}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('[::]:P:80 and [gateway6]:P:80 answer over IPv6; inspect and port show the IPv6 host IP', async () => {
    const base = 40000 + Math.floor(Math.random() * 2000);
    // The bridge, and with it the host's address on the network, comes with the first container.
    assert.ok(rig.runD(['--network', name, 'busybox', 'sleep', '300']).id);
    const bridge = rig.networks[0]?.bridge ?? '';
    await ContainerTestEnv.until(`${gw6} on ${bridge}, past duplicate address detection`, () => {
      const out = sh('ip', ['-6', 'addr', 'show', 'dev', bridge]);
      return out.includes(`${gw6}/64`) && !/tentative/.test(out) ? true : undefined;
    });
    const r = rig.runD(['--network', name, '-p', `[::]:${base}:80`, '-p', `[${gw6}]:${base + 1}:80`, '-p', `${base + 2}:80`, 'busybox', 'sh', '-c', 'echo v6 > /i; exec httpd -f -p 80 -h /']);
    assert.ok(r.id, r.stderr);
    assert.equal((await reachable(gw6, base)).trim(), 'v6');
    assert.equal((await reachable(gw6, base + 1)).trim(), 'v6');
    assert.equal((await reachable('127.0.0.1', base + 2)).trim(), 'v6', 'a port without host IP is published on IPv4');
    const lines = rig.ok(['port', r.id]).trim().split('\n').sort();
    assert.deepEqual(lines, [`80/tcp -> 0.0.0.0:${base + 2}`, `80/tcp -> [::]:${base}`, `80/tcp -> [${gw6}]:${base + 1}`].sort());
    const ports = JSON.parse(rig.ok(['inspect', '--format', '{{json .HostConfig.PortBindings}}', r.id])) as Record<string, Array<{ HostIp: string; HostPort: string }>>;
    assert.deepEqual(ports['80/tcp']?.map((b) => b.HostIp).sort(), ['0.0.0.0', '::', gw6].sort());
    assert.equal(rig.nn(['rm', '-f', r.id]).status, 0);
  });

  it('[::1]:P:80 is refused before anything is made, naming why and what to use', () => {
    const before = rig.env.entries('containers/default').length;
    const r = rig.nn(['run', '-d', '--network', name, '-p', '[::1]:8080:80', 'busybox', 'true']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /invalid -p host IP ::1: the IPv6 loopback cannot be forwarded/);
    assert.equal(rig.env.entries('containers/default').length, before);
  });
});
