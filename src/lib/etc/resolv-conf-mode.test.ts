// A container's resolv.conf per network mode and the host file reader.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planResolvConf, readHostResolvConf, SLIRP4NETNS_DNS } from './resolv-conf-mode.js';
import { validateDnsSettings } from './validate.js';
import type { DnsSettings, FilesMode } from './types.js';

const HOST = '# generated\nsearch corp.example lab.example\nnameserver 127.0.0.1\nnameserver 192.168.1.2\nnameserver fd00::53\noptions edns0 trust-ad\n';
const none: DnsSettings = { servers: [], search: [], options: [] };

function plan(mode: FilesMode, hostContent: string, dns: Partial<DnsSettings> = {}, slirpDns?: string): string {
  return planResolvConf({ mode, hostContent, dns: validateDnsSettings(dns), ...(slirpDns ? { slirpDns } : {}) }).content;
}

describe('planResolvConf', () => {
  it('CNI: host IPv4 servers only, localhost dropped, host search and options', () => {
    assert.equal(plan('cni', HOST), 'search corp.example lab.example\nnameserver 192.168.1.2\noptions edns0 trust-ad\n');
  });

  it('each of --dns, --dns-search, --dns-opt overrides only its own line (spec 4.4 example)', () => {
    assert.equal(plan('cni', 'options edns0\n', { servers: ['8.8.8.8'], search: ['test'], options: ['attempts:10'] }), 'search test\nnameserver 8.8.8.8\noptions attempts:10\n');
    assert.equal(plan('cni', HOST, { servers: ['10.0.0.2'] }), 'search corp.example lab.example\nnameserver 10.0.0.2\noptions edns0 trust-ad\n');
    assert.equal(plan('cni', HOST, { search: ['test', 'test1'] }), 'search test test1\nnameserver 192.168.1.2\noptions edns0 trust-ad\n');
    assert.equal(plan('cni', HOST, { options: ['no-tld-query', 'attempts:10'] }), 'search corp.example lab.example\nnameserver 192.168.1.2\noptions no-tld-query attempts:10\n');
  });

  it('CNI with a localhost-only host: the IPv4 fallbacks (IPv6 ones are dropped)', () => {
    const r = planResolvConf({ mode: 'cni', hostContent: 'nameserver 127.0.0.53\n', dns: none });
    assert.deepEqual(r, { content: 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n', usedFallback: true });
  });

  it('a missing host file gives the fallback servers', () => {
    assert.equal(plan('cni', ''), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    assert.equal(plan('none', ''), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n');
  });

  it('CNI with an IPv6-only host has no nameserver (nerdctl behaviour, spec 4.3)', () => {
    assert.equal(plan('cni', 'nameserver fd00::53\n'), '');
  });

  it('rootless CNI puts slirp4netns DNS first, even before --dns', () => {
    assert.equal(plan('cni', HOST, {}, SLIRP4NETNS_DNS), 'search corp.example lab.example\nnameserver 10.0.2.3\nnameserver 192.168.1.2\noptions edns0 trust-ad\n');
    assert.equal(plan('cni', HOST, { servers: ['1.1.1.1'] }, SLIRP4NETNS_DNS), 'search corp.example lab.example\nnameserver 10.0.2.3\nnameserver 1.1.1.1\noptions edns0 trust-ad\n');
    assert.equal(plan('none', HOST, {}, SLIRP4NETNS_DNS).includes('10.0.2.3'), false);
  });

  it('none: IPv4 and IPv6 host servers, localhost dropped', () => {
    assert.equal(plan('none', HOST), 'search corp.example lab.example\nnameserver 192.168.1.2\nnameserver fd00::53\noptions edns0 trust-ad\n');
  });

  it('host and ns: localhost servers kept', () => {
    const want = 'search corp.example lab.example\nnameserver 127.0.0.1\nnameserver 192.168.1.2\nnameserver fd00::53\noptions edns0 trust-ad\n';
    assert.equal(plan('host', HOST), want);
    assert.equal(plan('ns', HOST), want);
    assert.equal(plan('host', HOST, { servers: ['9.9.9.9'] }), 'search corp.example lab.example\nnameserver 9.9.9.9\noptions edns0 trust-ad\n');
  });

  it('deduplicates and canonicalizes --dns', () => {
    assert.equal(plan('cni', '', { servers: ['10.0.0.2', '10.0.0.2', 'FD00::0:53'], search: ['a.example'], options: ['ndots:1'] }), 'search a.example\nnameserver 10.0.0.2\nnameserver fd00::53\noptions ndots:1\n');
  });
});

describe('readHostResolvConf', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerdnet-resolv-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('reads /etc/resolv.conf as is', async () => {
    const etc = join(dir, 'plain.conf');
    await writeFile(etc, 'nameserver 192.168.1.2\n');
    assert.deepEqual(await readHostResolvConf({ etcPath: etc, systemdPath: join(dir, 'x') }), { path: etc, content: 'nameserver 192.168.1.2\n', found: true });
  });

  it('follows the systemd-resolved stub to the upstream file', async () => {
    const etc = join(dir, 'stub.conf');
    const upstream = join(dir, 'upstream.conf');
    await writeFile(etc, '# stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n');
    await writeFile(upstream, 'nameserver 192.168.1.1\nsearch lan\n');
    const host = await readHostResolvConf({ etcPath: etc, systemdPath: upstream });
    assert.deepEqual(host, { path: upstream, content: 'nameserver 192.168.1.1\nsearch lan\n', found: true });
    // Host containers get the upstream servers, not the stub (TestHostNetworkDnsPreserved).
    assert.equal(plan('host', host.content), 'search lan\nnameserver 192.168.1.1\n');
  });

  it('treats a missing file (or a missing systemd upstream, #1145) as empty', async () => {
    assert.deepEqual(await readHostResolvConf({ etcPath: join(dir, 'absent') }), { path: join(dir, 'absent'), content: '', found: false });
    const etc = join(dir, 'stub-only.conf');
    await writeFile(etc, 'nameserver 127.0.0.53\n');
    const host = await readHostResolvConf({ etcPath: etc, systemdPath: join(dir, 'absent-upstream') });
    assert.equal(host.content, '');
    assert.equal(plan('cni', host.content), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  });
});
