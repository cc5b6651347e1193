// The DNS responder: UDP and TCP listeners that answer container names from a NameTable and forward
// everything else to at most three upstreams (docs/dns.md). Wire format by dns-packet.
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import type { Answer, Packet, Question } from 'dns-packet';
import { tryParseIP } from '../ip/index.js';
import { NerdnetError } from '../errors.js';
import { noLogger } from '../etc/types.js';
import type { Logger } from '../etc/types.js';
import { ptrAddress } from './records.js';
import type { AskerScope, NameTable } from './records.js';

// Own answers carry TTL 0 by default: a restarted container may come back with another address, and
// nothing should cache the old one (aardvark-dns's choice; Docker uses 600).
export const DEFAULT_TTL = 0;
// Per upstream attempt; three upstreams that all time out cost 6 s, under a stub resolver's retries.
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000;
export const DEFAULT_MAX_FORWARDS = 1024;
export const MAX_UPSTREAMS = 3;
// An idle TCP client is dropped after this long (aardvark-dns: 3 s); it never blocks the others.
export const TCP_IDLE_MS = 3000;
const TCP_IN_FLIGHT = 32;
const TCP_MAX_BUFFERED = 256 * 1024;
const UDP_DEFAULT_SIZE = 512;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export interface Endpoint {
  host: string;
  port: number;
}

// One listen address (UDP and TCP on the same port) and the networks it serves, used for askers
// that are not containers of the table (the host, say).
export interface Listener extends Endpoint {
  networks: readonly string[];
}

// What a (re)load yields: the table and the listeners wanted now.
export interface ResponderState {
  table: NameTable;
  listeners: readonly Listener[];
  upstreams: readonly Endpoint[];
}

export interface ResponderOptions {
  load: () => Promise<ResponderState>;
  ttl?: number;
  upstreamTimeoutMs?: number;
  maxForwards?: number;
  tcpIdleMs?: number;
  logger?: Logger;
}

// `ip[:port],...`, `[v6]:port` for an IPv6 address with a port; port 53 by default.
export function parseUpstreams(spec: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const raw of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    let host = raw;
    let port = 53;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
    const v4port = /^([^:]+):(\d+)$/.exec(raw);
    if (bracket) [host, port] = [bracket[1]!, bracket[2] === undefined ? 53 : Number(bracket[2])];
    else if (v4port) [host, port] = [v4port[1]!, Number(v4port[2])];
    if (!tryParseIP(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new NerdnetError('ERR_INVALID_ARG', `invalid DNS upstream ${JSON.stringify(raw)}: want ip, ip:port or [ipv6]:port`);
    }
    out.push({ host, port });
  }
  return out;
}

function key(e: Endpoint): string {
  return `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}

interface Bound {
  listener: Listener;
  udp: dgram.Socket;
  tcp: net.Server;
}

export interface ResponderStats {
  answered: number;
  forwarded: number;
  refused: number;
  malformed: number;
}

export class DnsResponder {
  private readonly bound = new Map<string, Bound>();
  private readonly tcpClients = new Set<net.Socket>();
  private state: ResponderState | undefined;
  private forwards = 0;
  private closed = false;
  private reloading: Promise<ResponderState> | undefined;
  private readonly log: Logger;
  readonly stats: ResponderStats = { answered: 0, forwarded: 0, refused: 0, malformed: 0 };

  constructor(private readonly opts: ResponderOptions) {
    this.log = opts.logger ?? noLogger;
  }

  // Load and bind; resolves when every listener's sockets are bound.
  async start(): Promise<ResponderState> {
    return this.reload();
  }

  // Re-read the records and listeners: unchanged listeners keep their sockets, new ones are bound,
  // gone ones closed. Concurrent calls share one pass that starts after the current one.
  async reload(): Promise<ResponderState> {
    const previous = this.reloading ?? Promise.resolve(undefined);
    const next = previous.catch(() => undefined).then(() => this.reloadOnce());
    this.reloading = next;
    try {
      return await next;
    } finally {
      if (this.reloading === next) this.reloading = undefined;
    }
  }

  private async reloadOnce(): Promise<ResponderState> {
    if (this.closed) throw new NerdnetError('ERR_INTERNAL', 'DNS responder reloaded after close');
    const loaded = await this.opts.load();
    const own = new Set(loaded.listeners.map(key));
    // Never forward to ourselves (netavark refuses the same loop), and at most three servers.
    const state: ResponderState = { ...loaded, upstreams: loaded.upstreams.filter((u) => !own.has(key(u))).slice(0, MAX_UPSTREAMS) };
    const wanted = new Map(state.listeners.map((l) => [key(l), l]));
    for (const [k, b] of this.bound) if (!wanted.has(k)) await this.unbind(k, b);
    for (const [k, l] of wanted) {
      const have = this.bound.get(k);
      if (have) have.listener = l;
      else this.bound.set(k, await this.bind(l));
    }
    this.state = state;
    return state;
  }

  // The addresses actually bound (port 0 resolved), for tests and logs.
  addresses(): Array<{ udp: Endpoint; tcp: Endpoint }> {
    return [...this.bound.values()].map((b) => {
      const u = b.udp.address();
      const t = b.tcp.address() as net.AddressInfo;
      return { udp: { host: u.address, port: u.port }, tcp: { host: t.address, port: t.port } };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.tcpClients) c.destroy();
    for (const [k, b] of this.bound) await this.unbind(k, b);
  }

  private async bind(listener: Listener): Promise<Bound> {
    const type = listener.host.includes(':') ? 'udp6' : 'udp4';
    const udp = dgram.createSocket({ type, reuseAddr: false });
    const tcp = net.createServer({ pauseOnConnect: false });
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address: listener.host, port: listener.port, exclusive: true }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      // Port 0 (tests): TCP takes the port UDP was given.
      const port = listener.port === 0 ? udp.address().port : listener.port;
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: listener.host, port, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      udp.close();
      tcp.close();
      throw new NerdnetError('ERR_HOST', `DNS responder cannot listen on ${key(listener)}: ${(err as Error).message}`, { cause: err });
    }
    const b: Bound = { listener, udp, tcp };
    udp.on('error', (err) => this.log('warn', `dns: udp ${key(listener)}: ${err.message}`));
    tcp.on('error', (err) => this.log('warn', `dns: tcp ${key(listener)}: ${err.message}`));
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, rinfo.address, b, 'udp').then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address, (err) => err && this.log('debug', `dns: reply to ${rinfo.address}: ${err.message}`));
      });
    });
    tcp.on('connection', (socket) => this.serveTcp(socket, b));
    return b;
  }

  private async unbind(k: string, b: Bound): Promise<void> {
    this.bound.delete(k);
    b.udp.close();
    await new Promise<void>((resolve) => b.tcp.close(() => resolve()));
  }

  // Several length-prefixed messages per connection; each answered when ready, in any order.
  private serveTcp(socket: net.Socket, b: Bound): void {
    this.tcpClients.add(socket);
    socket.setTimeout(this.opts.tcpIdleMs ?? TCP_IDLE_MS, () => socket.destroy());
    socket.on('close', () => this.tcpClients.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        // One client's queries in flight are capped, so it cannot take every forward slot from others.
        if (++inFlight >= TCP_IN_FLIGHT) socket.pause();
        void this.handle(msg, socket.remoteAddress ?? '', b, 'tcp').then((reply) => {
          if (--inFlight < TCP_IN_FLIGHT && socket.isPaused()) socket.resume();
          if (!reply || socket.destroyed) return;
          // A client that sends but does not read is dropped, not buffered for without bound.
          if (socket.writableLength > TCP_MAX_BUFFERED) socket.destroy();
          else socket.write(frame(reply));
        });
      }
    });
  }

  // The reply bytes for one message, or undefined to drop it (not even a header).
  private async handle(msg: Buffer, source: string, b: Bound, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    try {
      return await this.answer(msg, source, b, transport);
    } catch (err) {
      this.log('warn', `dns: query from ${source}: ${(err as Error).message}`);
      return msg.length >= 12 ? header(msg, RCODE.SERVFAIL) : undefined;
    }
  }

  private async answer(msg: Buffer, source: string, b: Bound, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let query: Packet;
    try {
      query = packet.decode(msg);
    } catch {
      this.stats.malformed++;
      return msg.length >= 12 ? header(msg, RCODE.FORMERR) : undefined;
    }
    // A response, or not exactly one question: nothing a stub resolver sends.
    if (query.type !== 'query' || query.questions?.length !== 1) {
      this.stats.malformed++;
      return query.type === 'query' ? header(msg, RCODE.FORMERR) : undefined;
    }
    const state = this.state;
    if (!state) return header(msg, RCODE.SERVFAIL);
    const q = query.questions[0]!;
    const scope = state.table.scopeOf(source, b.listener.networks);
    const own = this.local(state.table, scope, q);
    if (own) {
      this.stats.answered++;
      return this.reply(query, own.rcode, own.answers, transport);
    }
    if (!scope.forward) {
      this.stats.answered++;
      return this.reply(query, RCODE.NXDOMAIN, [], transport);
    }
    return this.forward(msg, query, state.upstreams, transport);
  }

  // Our answer for a question, or undefined when the name is not ours (forwarded).
  private local(table: NameTable, scope: AskerScope, q: Question): { rcode: number; answers: Answer[] } | undefined {
    const ttl = this.opts.ttl ?? DEFAULT_TTL;
    if (q.class !== 'IN' && q.class !== undefined) return undefined;
    if (q.type === 'PTR') {
      const address = ptrAddress(q.name);
      const target = address === undefined ? undefined : table.ptr(scope, address);
      return target === undefined ? undefined : { rcode: RCODE.NOERROR, answers: [{ type: 'PTR', name: q.name, ttl, class: 'IN', data: target }] };
    }
    const found = table.lookup(scope, q.name);
    if (!found) return undefined;
    if (q.type === 'A') return { rcode: RCODE.NOERROR, answers: found.v4.map((data) => ({ type: 'A', name: q.name, ttl, class: 'IN', data })) };
    if (q.type === 'AAAA') return { rcode: RCODE.NOERROR, answers: found.v6.map((data) => ({ type: 'AAAA', name: q.name, ttl, class: 'IN', data })) };
    // Docker's implicit MX: a known name has none.
    if (q.type === 'MX') return { rcode: RCODE.NOERROR, answers: [] };
    return undefined;
  }

  private reply(query: Packet, rcode: number, answers: Answer[], transport: 'udp' | 'tcp'): Buffer {
    const rd = (query.flags ?? 0) & packet.RECURSION_DESIRED;
    const base = { type: 'response' as const, id: query.id ?? 0, questions: query.questions ?? [] };
    const flags = packet.AUTHORITATIVE_ANSWER | rd | (rd ? packet.RECURSION_AVAILABLE : 0) | rcode;
    const out = packet.encode({ ...base, flags, answers });
    const limit = transport === 'tcp' ? 65535 : Math.max(UDP_DEFAULT_SIZE, ednsSize(query));
    if (out.length <= limit) return out;
    // Too big for the client's UDP size: the question alone, TC set, so it retries over TCP.
    return packet.encode({ ...base, flags: flags | packet.TRUNCATED_RESPONSE, answers: [] });
  }

  // Upstreams in order, one attempt each; the next on timeout, connection failure, SERVFAIL or REFUSED.
  private async forward(msg: Buffer, query: Packet, upstreams: readonly Endpoint[], transport: 'udp' | 'tcp'): Promise<Buffer> {
    if (upstreams.length === 0 || this.forwards >= (this.opts.maxForwards ?? DEFAULT_MAX_FORWARDS)) {
      this.stats.refused++;
      return this.reply(query, upstreams.length === 0 ? RCODE.SERVFAIL : RCODE.REFUSED, [], transport);
    }
    this.forwards++;
    try {
      const timeout = this.opts.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
      for (const up of upstreams) {
        const got = await (transport === 'udp' ? askUdp : askTcp)(up, msg, timeout).catch((err: Error) => {
          this.log('debug', `dns: upstream ${key(up)}: ${err.message}`);
          return undefined;
        });
        if (!got || got.length < 12 || got.readUInt16BE(0) !== (query.id ?? 0)) continue;
        const rcode = got.readUInt16BE(2) & 0xf;
        if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED) continue;
        this.stats.forwarded++;
        return got;
      }
      return this.reply(query, RCODE.SERVFAIL, [], transport);
    } finally {
      this.forwards--;
    }
  }
}

// The client's EDNS0 UDP payload size, 0 without an OPT record.
function ednsSize(query: Packet): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return opt?.udpPayloadSize ?? 0;
}

// A bare header reply (no sections) with the query's ID, opcode and RD and the given rcode.
function header(msg: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(msg.readUInt16BE(0), 0);
  const flags = msg.readUInt16BE(2);
  out.writeUInt16BE(0x8000 | (flags & 0x7900) | (flags & 0x0100 ? 0x0080 : 0) | rcode, 2);
  return out;
}

function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length, 0);
  return Buffer.concat([len, msg]);
}

type Done = (err: Error | undefined, reply?: Buffer) => void;

// One request and its reply on a socket `open` makes: settles once (reply, error or timeout), then `close`s it.
function exchange<S>(timeoutMs: number, open: () => S, close: (s: S) => void, wire: (s: S, done: Done) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = open();
    let settled = false;
    const done: Done = (err, reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close(sock);
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    wire(sock, done);
  });
}

// One UDP exchange on a fresh socket (a random source port per query), the first datagram back.
export function askUdp(up: Endpoint, msg: Buffer, timeoutMs: number): Promise<Buffer> {
  return exchange(
    timeoutMs,
    () => dgram.createSocket(up.host.includes(':') ? 'udp6' : 'udp4'),
    (sock) => sock.close(),
    (sock, done) => {
      sock.on('error', (err) => done(err));
      sock.on('message', (reply) => done(undefined, reply));
      sock.send(msg, up.port, up.host, (err) => err && done(err));
    },
  );
}

// One TCP exchange: a length-prefixed query, the first length-prefixed reply.
export function askTcp(up: Endpoint, msg: Buffer, timeoutMs: number): Promise<Buffer> {
  return exchange(
    timeoutMs,
    () => net.connect({ host: up.host, port: up.port }),
    (sock) => sock.destroy(),
    (sock, done) => {
      let buf: Buffer = Buffer.alloc(0);
      sock.on('connect', () => sock.write(frame(msg)));
      sock.on('error', (err) => done(err));
      sock.on('close', () => done(new Error('connection closed before an answer')));
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
      });
    },
  );
}
