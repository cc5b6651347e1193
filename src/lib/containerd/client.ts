// A containerd client: gRPC over containerd's unix socket, the namespace in every call's metadata
// (`containerd-namespace`, as containerd's Go client sends it), unary calls with deadlines, streams.
// Nothing is loaded or connected until the first call.
import { resolve } from 'node:path';
import type { Channel, ChannelCredentials, Client, ClientDuplexStream, Metadata } from '@grpc/grpc-js';
import { NerdnetError } from '../errors.js';
import { validateIdentifier } from '../store/layout.js';
import { fromGrpcError } from './errors.js';
import { loadContainerdProtos, type ServiceName } from './proto.js';

export const DEFAULT_CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';
export const DEFAULT_CONTAINERD_NAMESPACE = 'default';
const DEFAULT_TIMEOUT_MS = 30_000;
// Generous: a loaded host (CI running tests in parallel) can be slow to answer the first call.
const PING_TIMEOUT_MS = 10_000;
// containerd's own server limit (config grpc.max_recv_message_size).
const MAX_MESSAGE = 16 << 20;

export interface ContainerdClientOptions {
  // Socket path or `unix://` URL (nerdctl's --address / CONTAINERD_ADDRESS).
  address: string;
  namespace: string;
  // Deadline of unary calls without their own (default 30 s).
  timeoutMs?: number;
  // Where Debian's gocode tree is (tests of the missing-protos error).
  protoRoot?: string;
}

export interface CallOptions {
  // Per-call deadline; null means none (task Wait).
  timeoutMs?: number | null;
  // Lease that protects what this call creates (`containerd-lease` metadata).
  lease?: string;
  signal?: AbortSignal;
}

type Callback = (err: unknown, res: unknown) => void;
type UnaryFn = (req: object, md: Metadata, opts: { deadline?: number }, cb: Callback) => { cancel(): void };
type StreamFn = (req: object, md: Metadata, opts: { deadline?: number }) => AsyncIterable<unknown> & { cancel(): void; on(ev: 'error', fn: (e: unknown) => void): unknown };
type DuplexFn = (md: Metadata, opts: { deadline?: number }) => ClientDuplexStream<object, unknown>;

// The shared part: one channel per address, whatever the namespace.
class Connection {
  private ready: Promise<{ grpc: typeof import('@grpc/grpc-js'); clients: Map<ServiceName, Client>; make: (s: ServiceName) => Client }> | undefined;
  private channel: Channel | undefined;
  private closed = false;

  constructor(
    readonly address: string,
    readonly socketPath: string,
    private readonly protoRoot: string | undefined,
  ) {}

  async client(service: ServiceName): Promise<{ grpc: typeof import('@grpc/grpc-js'); client: Client }> {
    if (this.closed) throw new NerdnetError('ERR_INTERNAL', `containerd client for ${this.address} is closed`);
    this.ready ??= this.open();
    const r = await this.ready;
    let client = r.clients.get(service);
    if (!client) {
      client = r.make(service);
      r.clients.set(service, client);
    }
    return { grpc: r.grpc, client };
  }

  private async open() {
    const [grpc, protos] = await Promise.all([import('@grpc/grpc-js'), loadContainerdProtos(this.protoRoot)]);
    const target = `unix://${this.socketPath}`;
    const creds: ChannelCredentials = grpc.credentials.createInsecure();
    const options = { 'grpc.max_receive_message_length': MAX_MESSAGE, 'grpc.max_send_message_length': MAX_MESSAGE };
    const channel = new grpc.Channel(target, creds, options);
    this.channel = channel;
    const make = (s: ServiceName) => new (protos.service(s))(target, creds, { ...options, channelOverride: channel });
    return { grpc, clients: new Map<ServiceName, Client>(), make };
  }

  close(): void {
    this.closed = true;
    this.channel?.close();
  }
}

export class ContainerdClient {
  private constructor(
    private readonly conn: Connection,
    readonly namespace: string,
    private readonly timeoutMs: number,
  ) {}

  // No I/O: the socket is dialled on the first call.
  static open(opts: ContainerdClientOptions): ContainerdClient {
    const raw = opts.address.startsWith('unix://') ? opts.address.slice('unix://'.length) : opts.address;
    if (raw === '') throw new NerdnetError('ERR_INVALID_ARG', `invalid containerd address ${JSON.stringify(opts.address)}: it is empty; give a socket path like ${DEFAULT_CONTAINERD_ADDRESS}`);
    if (/^[a-z]+:\/\//i.test(raw)) throw new NerdnetError('ERR_INVALID_ARG', `invalid containerd address ${JSON.stringify(opts.address)}: only unix sockets are supported; give a path like ${DEFAULT_CONTAINERD_ADDRESS}`);
    const conn = new Connection(opts.address, resolve(raw), opts.protoRoot);
    return new ContainerdClient(conn, validateIdentifier('namespace', opts.namespace), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  get address(): string {
    return this.conn.address;
  }

  // The same connection, another namespace.
  withNamespace(namespace: string): ContainerdClient {
    return new ContainerdClient(this.conn, validateIdentifier('namespace', namespace), this.timeoutMs);
  }

  async unary<Res>(service: ServiceName, method: string, request: object, opts: CallOptions = {}): Promise<Res> {
    const { grpc, client } = await this.conn.client(service);
    const timeoutMs = opts.timeoutMs === undefined ? this.timeoutMs : opts.timeoutMs;
    const fn = this.method<UnaryFn>(client, service, method);
    return new Promise<Res>((resolvePromise, reject) => {
      let onAbort: (() => void) | undefined;
      const call = fn.call(client, request, this.metadata(grpc, opts), this.deadline(timeoutMs), (err, res) => {
        if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(this.error(err, `${service}.${method}`, timeoutMs));
        else resolvePromise(res as Res);
      });
      if (opts.signal) {
        onAbort = () => call.cancel();
        if (opts.signal.aborted) call.cancel();
        else opts.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  // A server stream (content Read, snapshots List, events Subscribe); errors become NerdnetErrors.
  async *serverStream<Res>(service: ServiceName, method: string, request: object, opts: CallOptions = {}): AsyncGenerator<Res> {
    const { grpc, client } = await this.conn.client(service);
    const timeoutMs = opts.timeoutMs === undefined ? null : opts.timeoutMs;
    const call = this.method<StreamFn>(client, service, method).call(client, request, this.metadata(grpc, opts), this.deadline(timeoutMs));
    const onAbort = () => call.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const msg of call) yield msg as Res;
    } catch (err) {
      throw this.error(err, `${service}.${method}`, timeoutMs);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  // A bidirectional stream (content Write); map its errors with `error()`.
  async duplex(service: ServiceName, method: string, opts: CallOptions = {}): Promise<ClientDuplexStream<object, unknown>> {
    const { grpc, client } = await this.conn.client(service);
    const timeoutMs = opts.timeoutMs === undefined ? null : opts.timeoutMs;
    return this.method<DuplexFn>(client, service, method).call(client, this.metadata(grpc, opts), this.deadline(timeoutMs));
  }

  // A grpc-js error of `what` ("content.Write") as a NerdnetError.
  error(err: unknown, what: string, timeoutMs?: number | null): NerdnetError {
    return fromGrpcError(err, { address: this.conn.address, socketPath: this.conn.socketPath, what, timeoutMs });
  }

  async version(opts: CallOptions = {}): Promise<{ version: string; revision: string }> {
    return this.unary('version', 'Version', {}, opts);
  }

  // Fail fast with the "not reachable" error when containerd is not there.
  async ping(): Promise<void> {
    await this.version({ timeoutMs: PING_TIMEOUT_MS });
  }

  close(): void {
    this.conn.close();
  }

  private method<F>(client: Client, service: ServiceName, method: string): F {
    const fn = (client as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new NerdnetError('ERR_INTERNAL', `containerd service ${service} has no method ${method}`);
    return fn as F;
  }

  private metadata(grpc: typeof import('@grpc/grpc-js'), opts: CallOptions): Metadata {
    const md = new grpc.Metadata();
    md.set('containerd-namespace', this.namespace);
    if (opts.lease) md.set('containerd-lease', opts.lease);
    return md;
  }

  private deadline(timeoutMs: number | null): { deadline?: number } {
    return timeoutMs === null ? {} : { deadline: Date.now() + timeoutMs };
  }
}
