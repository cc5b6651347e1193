// The asker is found by its source address: a responder process on port 53 in a netns the test
// creates, the containers' addresses on that netns's loopback, queries sent from each of them, the
// upstream a server the test runs in the same netns. Root only; the netns and the process are
// removed and ended by the test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ensureDnsResponder, writeDnsConfig } from '../src/lib/dns/process.js';
import { id64, writeRecord } from './helpers/dns-records.js';
import { TestNetns, uniqueTag } from './helpers/host.js';

const BIN = fileURLToPath(new URL('../src/bin/nerdnet-dns.ts', import.meta.url));
const CLIENT = fileURLToPath(new URL('./helpers/dns-netns-client.ts', import.meta.url));
const skip = process.getuid?.() !== 0 ? 'needs root (a network namespace)' : false;
const P = '10.200.251';
const GW = `${P}.1`;
const ns = 'default';

describe('DNS responder in a netns: answers from the asker’s own networks', { skip }, () => {
  let netns: TestNetns | undefined;
  let pid: number | undefined;
  const base = mkdtempSync(join(tmpdir(), 'nerdnet-dns-netns-'));

  before(async () => {
    netns = TestNetns.create(`nnd-${uniqueTag()}`);
    netns.exec(['ip', 'link', 'set', 'lo', 'up']);
    for (const host of [1, 2, 3, 4, 5, 6]) netns.exec(['ip', 'addr', 'add', `${P}.${host}/32`, 'dev', 'lo']);
    const dataStore = join(base, 'store');
    writeRecord(dataStore, ns, { id: id64('1'), name: 'web', networks: { back: [`${P}.2`], front: [`${P}.6`] } });
    writeRecord(dataStore, ns, { id: id64('2'), name: 'db', networks: { back: [`${P}.3`] } });
    writeRecord(dataStore, ns, { id: id64('3'), name: 'other', networks: { side: [`${P}.4`] } });
    writeRecord(dataStore, ns, { id: id64('4'), name: 'fe', networks: { front: [`${P}.5`] } });
    const runDir = join(base, 'run');
    await writeDnsConfig(runDir, {
      sources: [{ dataStore, namespace: ns }],
      networks: { back: { listen: [GW] }, front: { listen: [GW] }, side: { listen: [GW], internal: true } },
    });
    const r = await ensureDnsResponder({
      runDir,
      command: ['ip', 'netns', 'exec', netns.name, process.execPath, '--import', 'tsx', BIN],
      env: { ...process.env, NERDNET_DNS_UPSTREAMS: `${GW}:5300` },
      timeoutMs: 20_000,
    });
    assert.equal(r.state, 'started');
    if (r.state === 'started') pid = r.pid;
  });

  after(() => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    netns?.remove();
    rmSync(base, { recursive: true, force: true });
  });

  it('names, the union over shared networks, PTR, forwarding and no forwarding for internal', () => {
    const from = (host: number, name: string, type = 'A') => ({ from: `${P}.${host}`, name, type });
    const queries = [
      from(3, 'web'),
      from(3, 'fe'),
      from(2, 'fe'),
      from(2, 'WEB.'),
      from(2, 'web.front'),
      from(3, `2.${P.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR'),
      from(3, `6.${P.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR'),
      from(4, 'example.test'),
      from(4, 'web'),
      from(4, 'other'),
      from(3, 'example.test'),
    ];
    const input = JSON.stringify({ upstream: { host: GW, port: 5300 }, responder: { host: GW, port: 53 }, queries });
    const out = execFileSync('ip', ['netns', 'exec', netns!.name, process.execPath, '--import', 'tsx', CLIENT, input], { encoding: 'utf8', timeout: 60_000 });
    const { answers, received } = JSON.parse(out) as { answers: Array<{ rcode: string; data: string[] }>; received: string[] };
    assert.deepEqual(answers, [
      // db shares only `back` with web: web's back address, not its front one.
      { rcode: 'NOERROR', data: [`${P}.2`] },
      // fe is on `front`, which db is not on: forwarded, and the test upstream says NXDOMAIN.
      { rcode: 'NXDOMAIN', data: [] },
      { rcode: 'NOERROR', data: [`${P}.5`] },
      // web itself, on back and front: the union, network order.
      { rcode: 'NOERROR', data: [`${P}.2`, `${P}.6`] },
      { rcode: 'NOERROR', data: [`${P}.6`] },
      { rcode: 'NOERROR', data: ['web.back'] },
      { rcode: 'NXDOMAIN', data: [] },
      // other is only on the internal `side`: nothing forwarded, peers elsewhere not answered.
      { rcode: 'NXDOMAIN', data: [] },
      { rcode: 'NXDOMAIN', data: [] },
      { rcode: 'NOERROR', data: [`${P}.4`] },
      { rcode: 'NXDOMAIN', data: [] },
    ]);
    assert.deepEqual(received, ['fe', `6.${P.split('.').reverse().join('.')}.in-addr.arpa`, 'example.test']);
  });
});
