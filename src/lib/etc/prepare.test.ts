// Create-time files: contents and modes per mode; any bad value is refused before the first write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshot } from '../../../test/fixtures/etc/tree.js';
import { DataStoreLayout } from '../store/layout.js';
import { HostsStore } from './hosts-store.js';
import { prepareContainerFiles } from './prepare.js';
import type { PrepareFilesInput } from './prepare.js';

const ID = '4f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const HOST_RESOLV = 'nameserver 127.0.0.53\nnameserver 192.168.1.2\nsearch lan\n';
let dir: string;
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-prepare-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

function input(extra: Partial<PrepareFilesInput> = {}): PrepareFilesInput {
  const layout = new DataStoreLayout(join(dir, `ds${n++}`));
  return { layout, hostsStore: new HostsStore({ layout }), ns: 'default', id: ID, mode: 'cni', hostResolvConf: HOST_RESOLV, ...extra };
}

const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

describe('prepareContainerFiles', () => {
  it('CNI: resolv.conf, empty hosts, hostname = 12-char ID; 0644 files in a 0700 state dir', async () => {
    const i = input({ addHosts: ['db:10.0.0.5'], dns: { options: ['ndots:2'] } });
    const out = await prepareContainerFiles(i);
    assert.equal(await readFile(out.resolvConfPath, 'utf8'), 'search lan\nnameserver 192.168.1.2\noptions ndots:2\n');
    assert.equal(await readFile(out.hostsPath, 'utf8'), '');
    assert.equal(await readFile(out.hostnamePath ?? '', 'utf8'), '4f1e2d3c4b5a\n');
    for (const p of [out.resolvConfPath, out.hostsPath, out.hostnamePath ?? '']) assert.equal(await mode(p), 0o644);
    assert.equal(await mode(i.layout.stateDir('default', ID)), 0o700);
    assert.equal(out.hostsPath, i.layout.hostsPath('default', ID));
    assert.deepEqual(out.extraHosts, [{ host: 'db', ip: '10.0.0.5' }]);
    assert.deepEqual(out.dns, { servers: [], search: [], options: ['ndots:2'] });
  });

  it("host: the host's hosts file and localhost DNS; --uts=host writes no hostname file", async () => {
    const out = await prepareContainerFiles(input({ mode: 'host', hostHostname: 'node1', hostEtcHosts: '192.168.1.10 nas\n' }));
    assert.equal(await readFile(out.hostsPath, 'utf8'), '192.168.1.10 nas\n');
    assert.equal(await readFile(out.resolvConfPath, 'utf8'), 'search lan\nnameserver 127.0.0.53\nnameserver 192.168.1.2\n');
    assert.equal(out.hostname, 'node1');
    const uts = await prepareContainerFiles(input({ utsHost: true }));
    assert.equal(uts.hostnamePath, undefined);
    assert.equal(uts.hostname, '');
  });

  it('logs the fallback servers through the logger', async () => {
    const logs: string[] = [];
    await prepareContainerFiles(input({ hostResolvConf: '', logger: (_l, m) => logs.push(m) }));
    assert.match(logs.join('\n'), /Using default external servers/);
  });

  const bad: Array<[string, Partial<PrepareFilesInput>, RegExp]> = [
    ['hostname with newline', { hostname: 'web\n10.0.0.1 bank' }, /invalid --hostname "web\\n10.0.0.1 bank"/],
    ['hostname with a slash', { hostname: 'a/b' }, /invalid --hostname "a\/b": it contains "\/"/],
    ['domainname with ..', { domainname: 'example..com' }, /invalid --domainname "example..com": it contains "\.\."/],
    ['DNS server that is no IP', { dns: { servers: ['8.8.8'] } }, /invalid --dns value "8.8.8"/],
    ['DNS search with a space', { dns: { search: ['a b'] } }, /invalid --dns-search value "a b"/],
    ['DNS option with NUL', { dns: { options: ['ndots:1\0'] } }, /invalid --dns-opt value "ndots:1\\u0000"/],
    ['extra host with a bad IP', { addHosts: ['db:10.0.0.999'] }, /invalid IP address in add-host "db:10.0.0.999"/],
    ['extra host with a space', { addHosts: ['d b:10.0.0.9'] }, /invalid host name "d b"/],
    ['host-gateway with nothing to derive it from', { addHosts: ['gw:host-gateway'], interfaces: {} }, /unable to derive the IP value for host-gateway/],
    ['namespace with ..', { ns: '..' }, /invalid namespace ".."/],
    ['ID with a slash', { id: 'abc/def' }, /invalid container ID "abc\/def"/],
  ];
  for (const [what, extra, re] of bad) {
    it(`refuses a ${what} and leaves the data store unchanged`, async () => {
      const i = input(extra);
      // Another container's files exist already; none of them may change either.
      await prepareContainerFiles({ ...input(), layout: i.layout, hostsStore: i.hostsStore, id: 'f'.repeat(64) });
      const before = await snapshot(i.layout.root);
      assert.ok(Object.keys(before).length > 0);
      await assert.rejects(prepareContainerFiles(i), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_ARG' && re.test(e.message));
      assert.deepEqual(await snapshot(i.layout.root), before);
    });
  }
});
