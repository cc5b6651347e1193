// DNS test kit: a tiny upstream DNS server the test runs on loopback (never the host's resolvers),
// and a client for UDP and TCP queries.
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import type { DecodedPacket, Packet, RecordType } from 'dns-packet';
import { askTcp, askUdp } from '../../src/lib/dns/responder.js';
import type { Endpoint } from '../../src/lib/dns/responder.js';

export type UpstreamMode = 'answer' | 'silent' | 'servfail' | 'nxdomain';

// A loopback DNS server: A queries get `answer` (NXDOMAIN for names under `.missing`), or it stays
// silent or answers SERVFAIL; it records what it received, by transport.
export class TestUpstream {
  readonly received: Array<{ name: string; transport: 'udp' | 'tcp' }> = [];
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly clients = new Set<net.Socket>();
  endpoint: Endpoint = { host: '', port: 0 };

  constructor(
    public mode: UpstreamMode,
    private readonly answer = '192.0.2.7',
  ) {}

  async start(host = '127.0.0.1', port = 0): Promise<Endpoint> {
    const udp = dgram.createSocket('udp4');
    this.udp = udp;
    await new Promise<void>((resolve) => udp.bind(port, host, resolve));
    const bound = udp.address().port;
    const tcp = net.createServer((s) => this.serveTcp(s));
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(bound, host, () => resolve());
    });
    udp.on('message', (msg, r) => {
      const out = this.respond(msg, 'udp');
      if (out) udp.send(out, r.port, r.address);
    });
    this.endpoint = { host, port: bound };
    return this.endpoint;
  }

  private serveTcp(s: net.Socket): void {
    this.clients.add(s);
    s.on('close', () => this.clients.delete(s));
    s.on('error', () => s.destroy());
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const out = this.respond(msg, 'tcp');
        if (out) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          s.write(Buffer.concat([len, out]));
        }
      }
    });
  }

  private respond(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    let q: Packet;
    try {
      q = packet.decode(msg);
    } catch {
      return undefined;
    }
    const question = q.questions?.[0];
    if (!question) return undefined;
    this.received.push({ name: question.name, transport });
    if (this.mode === 'silent') return undefined;
    const base = { type: 'response' as const, id: q.id!, questions: q.questions! };
    if (this.mode === 'servfail') return packet.encode({ ...base, flags: 2 });
    if (this.mode === 'nxdomain' || question.name.endsWith('.missing')) return packet.encode({ ...base, flags: 3 });
    return packet.encode({ ...base, flags: packet.RECURSION_AVAILABLE, answers: [{ type: 'A', name: question.name, ttl: 30, data: this.answer }] });
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.destroy();
    this.udp?.close();
    if (this.tcp) await new Promise<void>((resolve) => this.tcp!.close(() => resolve()));
    this.udp = undefined;
    this.tcp = undefined;
  }
}

let nextID = 1;

// One query to `to` over `transport`; the decoded reply (rejects on timeout).
export async function query(to: Endpoint, name: string, type: RecordType, transport: 'udp' | 'tcp' = 'udp', timeoutMs = 3000): Promise<DecodedPacket> {
  const id = nextID++ & 0xffff;
  const msg = packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
  const reply = await (transport === 'udp' ? askUdp : askTcp)(to, msg, timeoutMs);
  return packet.decode(reply);
}

// A query sent from a given source address (the asker), e.g. 127.0.0.21 standing for a container.
export function queryFrom(source: string, to: Endpoint, name: string, type: RecordType, timeoutMs = 3000): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer from ${to.host}:${to.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('message', (reply) => {
      clearTimeout(timer);
      sock.close();
      resolve(packet.decode(reply));
    });
    sock.bind(0, source, () => {
      const msg = packet.encode({ type: 'query', id: nextID++ & 0xffff, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
      sock.send(msg, to.port, to.host);
    });
  });
}

export function rcodeOf(p: Packet): string {
  return (p as Packet & { rcode?: string }).rcode ?? '';
}

export function answerData(p: Packet): string[] {
  return (p.answers ?? []).map((a) => String((a as { data: unknown }).data));
}
