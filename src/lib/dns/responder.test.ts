// The responder over real UDP and TCP sockets on 127.0.0.x, forwarding only to upstreams this test
// runs on loopback.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { id64, removeRecord, writeRecord } from '../../../test/helpers/dns-records.js';
import { answerData, query, rcodeOf, TestUpstream } from '../../../test/helpers/dns.js';
import { loadDnsRecords, NameTable } from './records.js';
import { DnsResponder, parseUpstreams } from './responder.js';
import type { Endpoint, Listener } from './responder.js';

const root = mkdtempSync(join(tmpdir(), 'nerdnet-dns-responder-'));
after(() => rmSync(root, { recursive: true, force: true }));
const ns = 'default';
const WEB = id64('a');
const DB = id64('b');
const OTHER = id64('c');
writeRecord(root, ns, { id: WEB, name: 'web', hostname: 'webhost', networks: { front: ['10.200.1.2', 'fd00:1::2'], back: ['10.200.2.2'] } });
writeRecord(root, ns, { id: DB, name: 'db', networks: { back: ['10.200.2.3'] } });
writeRecord(root, ns, { id: OTHER, name: 'other', networks: { side: ['10.200.3.2'] } });

const started: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.close();
});

async function upstream(mode: ConstructorParameters<typeof TestUpstream>[0]): Promise<TestUpstream> {
  const u = new TestUpstream(mode);
  started.push({ close: () => u.stop() });
  await u.start();
  return u;
}

interface Started {
  responder: DnsResponder;
  back: Endpoint;
  side: Endpoint;
}

// A responder with a listener for `back` on 127.0.0.101 and one for the internal `side` on 127.0.0.102.
async function responder(upstreams: readonly Endpoint[], extra: { listeners?: () => Listener[]; upstreamTimeoutMs?: number; maxForwards?: number } = {}): Promise<Started> {
  const listeners = extra.listeners ?? (() => [{ host: '127.0.0.101', port: 0, networks: ['back'] }, { host: '127.0.0.102', port: 0, networks: ['side'] }]);
  const r = new DnsResponder({
    load: async () => ({ table: new NameTable(await loadDnsRecords([{ dataStore: root, namespace: ns }]), { internal: new Set(['side']) }), listeners: listeners(), upstreams }),
    upstreamTimeoutMs: extra.upstreamTimeoutMs ?? 300,
    ...(extra.maxForwards === undefined ? {} : { maxForwards: extra.maxForwards }),
  });
  started.push(r);
  await r.start();
  const [back, side] = r.addresses().map((a) => a.udp);
  return { responder: r, back: back!, side: side! };
}

async function freePort(host: string): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, host, res));
  const { port } = s.address();
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

describe('DNS responder', () => {
  it('answers A for a name, hostname, short ID and name.<network>, over UDP and TCP, TTL 0, case-insensitive', async () => {
    const up = await upstream('answer');
    const { back } = await responder([up.endpoint]);
    for (const name of ['db', 'DB.Back', DB.slice(0, 12), 'webhost', 'web.back']) {
      for (const transport of ['udp', 'tcp'] as const) {
        const r = await query(back, name, 'A', transport);
        assert.equal(rcodeOf(r), 'NOERROR', `${name} ${transport}`);
        assert.equal(r.answers?.length, 1);
        assert.equal((r.answers?.[0] as { ttl?: number } | undefined)?.ttl, 0);
        assert.equal(r.answers?.[0]?.name, name);
      }
    }
    assert.deepEqual(answerData(await query(back, 'web', 'A')), ['10.200.2.2']);
    assert.deepEqual(up.received, []);
  });

  it('NODATA for a name whose other family only exists on this network; MX of a known name is empty', async () => {
    const up = await upstream('answer');
    const { back } = await responder([up.endpoint]);
    for (const [name, type] of [['db', 'AAAA'], ['web', 'AAAA'], ['web', 'MX']] as const) {
      const r = await query(back, name, type);
      assert.equal(rcodeOf(r), 'NOERROR');
      assert.deepEqual(r.answers, []);
    }
    assert.deepEqual(up.received, []);
  });

  it('PTR for a container address on the network; other addresses are forwarded', async () => {
    const up = await upstream('nxdomain');
    const { back } = await responder([up.endpoint]);
    assert.deepEqual(answerData(await query(back, '2.2.200.10.in-addr.arpa', 'PTR')), ['web.back']);
    assert.deepEqual(answerData(await query(back, '3.2.200.10.in-addr.arpa', 'PTR', 'tcp')), ['db.back']);
    assert.equal(rcodeOf(await query(back, '2.1.200.10.in-addr.arpa', 'PTR')), 'NXDOMAIN');
    assert.deepEqual(up.received, [{ name: '2.1.200.10.in-addr.arpa', transport: 'udp' }]);
  });

  it('forwards names not ours, and names on networks the asker is not on, over the client’s transport', async () => {
    const up = await upstream('answer');
    const { back } = await responder([up.endpoint]);
    assert.deepEqual(answerData(await query(back, 'example.test', 'A')), ['192.0.2.7']);
    assert.deepEqual(answerData(await query(back, 'example.test', 'A', 'tcp')), ['192.0.2.7']);
    assert.equal(rcodeOf(await query(back, 'gone.missing', 'A')), 'NXDOMAIN');
    assert.deepEqual(answerData(await query(back, 'other', 'A')), ['192.0.2.7']);
    assert.deepEqual(answerData(await query(back, 'db', 'TXT')), ['192.0.2.7']);
    assert.deepEqual(up.received, [
      { name: 'example.test', transport: 'udp' },
      { name: 'example.test', transport: 'tcp' },
      { name: 'gone.missing', transport: 'udp' },
      { name: 'other', transport: 'udp' },
      { name: 'db', transport: 'udp' },
    ]);
  });

  it('tries the next upstream on timeout and on SERVFAIL; SERVFAIL when all fail; at most three', async () => {
    const silent = await upstream('silent');
    const failing = await upstream('servfail');
    const good = await upstream('answer');
    const fourth = await upstream('answer');
    const { back } = await responder([silent.endpoint, failing.endpoint, good.endpoint, fourth.endpoint]);
    for (const transport of ['udp', 'tcp'] as const) assert.deepEqual(answerData(await query(back, 'example.test', 'A', transport)), ['192.0.2.7']);
    assert.equal(silent.received.length, 2);
    assert.equal(failing.received.length, 2);
    assert.deepEqual(good.received.map((r) => r.transport), ['udp', 'tcp']);
    good.mode = 'silent';
    assert.equal(rcodeOf(await query(back, 'example.test', 'A')), 'SERVFAIL');
    assert.deepEqual(fourth.received, []);
  });

  it('forwards nothing for an internal network: NXDOMAIN for names not ours; its own names still answer', async () => {
    const up = await upstream('answer');
    const { side } = await responder([up.endpoint]);
    assert.equal(rcodeOf(await query(side, 'example.test', 'A')), 'NXDOMAIN');
    assert.equal(rcodeOf(await query(side, 'db', 'A', 'tcp')), 'NXDOMAIN');
    assert.deepEqual(answerData(await query(side, 'other.side', 'A')), ['10.200.3.2']);
    assert.deepEqual(up.received, []);
  });

  it('SERVFAIL without upstreams; REFUSED past the forward limit; never forwards to itself', async () => {
    const silent = await upstream('silent');
    const { back } = await responder([silent.endpoint], { maxForwards: 1, upstreamTimeoutMs: 500 });
    const first = query(back, 'slow.test', 'A');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rcodeOf(await query(back, 'second.test', 'A')), 'REFUSED');
    assert.equal(rcodeOf(await first), 'SERVFAIL');
    // Its own address as the only upstream: dropped, so no upstream is left.
    const port = await freePort('127.0.0.103');
    const own = { host: '127.0.0.103', port };
    const self = new DnsResponder({ load: async () => ({ table: new NameTable([]), listeners: [{ ...own, networks: [] }], upstreams: [own] }), upstreamTimeoutMs: 5000 });
    started.push(self);
    const state = await self.start();
    assert.deepEqual(state.upstreams, []);
    assert.equal(rcodeOf(await query(own, 'example.test', 'A', 'udp', 1000)), 'SERVFAIL');
  });

  it('reload re-reads the records and listeners, keeping unchanged sockets', async () => {
    const up = await upstream('nxdomain');
    let listeners: Listener[] = [{ host: '127.0.0.104', port: 0, networks: ['back'] }];
    const { responder: r, back } = await responder([up.endpoint], { listeners: () => listeners });
    assert.deepEqual(answerData(await query(back, 'db', 'A')), ['10.200.2.3']);
    removeRecord(root, ns, DB);
    try {
      // Same listener (host and port 0 as given): kept, so `back` still answers after the reload.
      await r.reload();
      assert.equal(rcodeOf(await query(back, 'db', 'A')), 'NXDOMAIN');
      assert.deepEqual(r.addresses()[0]?.udp, back);
      listeners = [...listeners, { host: '127.0.0.105', port: 0, networks: ['back'] }];
      await r.reload();
      const both = r.addresses();
      assert.equal(both.length, 2);
      assert.deepEqual(answerData(await query(both[1]!.udp, 'web', 'A', 'tcp')), ['10.200.2.2']);
      listeners = listeners.slice(1);
      await r.reload();
      assert.deepEqual(r.addresses().map((a) => a.udp.host), ['127.0.0.105']);
    } finally {
      writeRecord(root, ns, { id: DB, name: 'db', networks: { back: ['10.200.2.3'] } });
    }
  });

  it('bad input: garbage, a response, a truncated query, an idle TCP client; others are still answered', async () => {
    const up = await upstream('answer');
    const { responder: r, back } = await responder([up.endpoint]);
    const sock = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
    const idle = net.connect(back.port, back.host);
    try {
      await new Promise<void>((res) => idle.once('connect', () => res()));
      const good = (await import('dns-packet')).encode({ type: 'query', id: 9, questions: [{ type: 'A', name: 'db' }] });
      for (const bad of [Buffer.from([1]), Buffer.alloc(12, 0xff), good.subarray(0, 15), Buffer.from('x'.repeat(600))]) sock.send(bad, back.port, back.host);
      for (let i = 0; i < 200; i++) sock.send(Buffer.from(Array.from({ length: 1 + (i % 40) }, (_, j) => (i * 31 + j * 7) & 0xff)), back.port, back.host);
      assert.deepEqual(answerData(await query(back, 'db', 'A')), ['10.200.2.3']);
      assert.deepEqual(answerData(await query(back, 'db', 'A', 'tcp')), ['10.200.2.3']);
      assert.ok(r.stats.malformed > 0);
      // Every reply to the garbage is a bare header (FORMERR) or nothing; none is an answer.
      for (const m of replies) assert.equal(m.length, 12);
    } finally {
      idle.destroy();
      sock.close();
    }
  });
});

describe('DNS responder under hostile input', () => {
  it('3000 mutated queries over UDP and a TCP stream of them: never crashes, still answers', async () => {
    const up = await upstream('answer');
    const { responder: r, back } = await responder([up.endpoint], { upstreamTimeoutMs: 100 });
    const packetLib = await import('dns-packet');
    const seeds = ['db', 'web.back', '2.2.200.10.in-addr.arpa', 'example.test'].map((name, i) =>
      packetLib.encode({ type: 'query', id: i, flags: packetLib.RECURSION_DESIRED, questions: [{ type: i === 2 ? 'PTR' : 'A', name }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] }),
    );
    // A fixed-seed generator: the same packets on every run.
    let seed = 0x5eed;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const mutate = (m: Buffer): Buffer => {
      const out = Buffer.from(m.subarray(0, 1 + rnd(m.length + 8)));
      for (let k = rnd(4); k >= 0; k--) if (out.length > 0) out[rnd(out.length)] = rnd(256);
      return out;
    };
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
    const tcp = net.connect(back.port, back.host);
    tcp.on('error', () => {});
    const connected = new Promise<void>((res) => tcp.once('connect', () => res()));
    try {
      for (let i = 0; i < 3000; i++) {
        sock.send(mutate(seeds[i % seeds.length]!), back.port, back.host);
        if (i % 100 === 0) await new Promise((res) => setImmediate(res));
      }
      await connected;
      for (let i = 0; i < 200; i++) {
        const m = mutate(seeds[i % seeds.length]!);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(m.length);
        tcp.write(Buffer.concat([len, m]));
      }
      await new Promise((res) => setTimeout(res, 300));
      assert.deepEqual(answerData(await query(back, 'db', 'A')), ['10.200.2.3']);
      assert.deepEqual(answerData(await query(back, 'web', 'A', 'tcp')), ['10.200.2.2']);
      assert.ok(r.stats.malformed > 0);
    } finally {
      tcp.destroy();
      sock.close();
    }
  });

  it('many queries on one TCP connection are all answered', async () => {
    const up = await upstream('answer');
    const { back } = await responder([up.endpoint]);
    const packetLib = await import('dns-packet');
    const sock = net.connect(back.port, back.host);
    try {
      const got = new Set<number>();
      let buf: Buffer = Buffer.alloc(0);
      const all = new Promise<void>((resolve) => {
        sock.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            got.add(packetLib.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))).id!);
            buf = buf.subarray(2 + buf.readUInt16BE(0));
          }
          if (got.size === 100) resolve();
        });
      });
      for (let id = 0; id < 100; id++) {
        const m = packetLib.encode({ type: 'query', id, questions: [{ type: 'A', name: id % 2 ? 'db' : 'forwarded.test' }] });
        const len = Buffer.alloc(2);
        len.writeUInt16BE(m.length);
        sock.write(Buffer.concat([len, m]));
      }
      await all;
      assert.equal(got.size, 100);
    } finally {
      sock.destroy();
    }
  });
});

describe('DNS responder answer size', () => {
  it('60 replicas under one hostname: TC and no answers over UDP without EDNS, all 60 over TCP', async () => {
    const store = mkdtempSync(join(tmpdir(), 'nerdnet-dns-replicas-'));
    try {
      for (let i = 0; i < 60; i++) writeRecord(store, ns, { id: id64(i.toString(16).padStart(2, '0')), name: `app-${i}`, hostname: 'app', networks: { back: [`10.200.9.${i + 2}`] } });
      const r = new DnsResponder({
        load: async () => ({ table: new NameTable(await loadDnsRecords([{ dataStore: store, namespace: ns }])), listeners: [{ host: '127.0.0.106', port: 0, networks: ['back'] }], upstreams: [] }),
      });
      started.push(r);
      await r.start();
      const at = r.addresses()[0]!.udp;
      const udp = await query(at, 'app', 'A');
      assert.equal(udp.flag_tc, true);
      assert.deepEqual(udp.answers, []);
      const tcp = await query(at, 'app', 'A', 'tcp');
      assert.equal(tcp.flag_tc, false);
      assert.equal(tcp.answers?.length, 60);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});

describe('parseUpstreams', () => {
  it('ip, ip:port, [v6]:port; refuses names', () => {
    assert.deepEqual(parseUpstreams('127.0.0.1:5300, 10.0.0.1,[::1]:53,fd00::1'), [
      { host: '127.0.0.1', port: 5300 },
      { host: '10.0.0.1', port: 53 },
      { host: '::1', port: 53 },
      { host: 'fd00::1', port: 53 },
    ]);
    assert.throws(() => parseUpstreams('dns.example:53'), /invalid DNS upstream/);
    assert.throws(() => parseUpstreams('127.0.0.1:70000'), /invalid DNS upstream/);
  });
});
