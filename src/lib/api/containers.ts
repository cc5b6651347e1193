// Containers for a program: a typed run/create request (no flag strings) and a Container handle
// (inspect, exec with captured output, wait, logs, stop, remove, `await using`). The request is
// turned into what `nerdnet run` builds from its flags, so both make the same files.
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerManager } from '../container/manager.js';
import type { ContainerView } from '../container/inspect.js';
import type { ContainerListFilter } from '../container/list-filter.js';
import type { ContainerCreateRequest, ContainerRecord } from '../container/types.js';
import { DEFAULT_NETWORK_NAME } from '../network/names.js';
import type { Protocol } from '../ports/types.js';
import type { ContainerInspect } from '../container/inspect-types.js';

export interface PublishPort {
  containerPort: number;
  // Default: a free port chosen on the host.
  hostPort?: number;
  // Default 0.0.0.0 (every address); "127.0.0.1" keeps it on loopback.
  hostIP?: string;
  protocol?: Protocol;
}

export interface ContainerRequest {
  // Exactly one of image (a name in the image store) and rootfs (an absolute directory).
  image?: string;
  rootfs?: string;
  name?: string;
  // Replaces the image's Cmd.
  command?: readonly string[];
  entrypoint?: readonly string[];
  env?: Readonly<Record<string, string>>;
  workdir?: string;
  // uid[:gid], numeric.
  user?: string;
  readOnly?: boolean;
  labels?: Readonly<Record<string, string>>;
  mounts?: ReadonlyArray<{ source: string; destination: string; readonly?: boolean }>;
  // Network names, "host", "none" or "container:<name>"; default ["bridge"] (made on first use).
  networks?: readonly string[];
  publish?: readonly PublishPort[];
  hostname?: string;
  domainname?: string;
  dns?: readonly string[];
  dnsSearch?: readonly string[];
  dnsOptions?: readonly string[];
  // Extra /etc/hosts lines; ip "host-gateway" is the host's address (hostGatewayIP).
  addHosts?: ReadonlyArray<{ host: string; ip: string }>;
  ip?: string;
  ip6?: string;
  mac?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env?: Readonly<Record<string, string>>;
  workdir?: string;
  user?: string;
}

export interface Container extends AsyncDisposable {
  readonly id: string;
  readonly name: string;
  // Docker's `inspect` object (State, Config, HostConfig, NetworkSettings).
  inspect(): Promise<ContainerInspect>;
  // Runs argv in the running container; resolves when it exits, with its output.
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  // Resolves with the exit code once the container's process has exited.
  wait(opts?: { signal?: AbortSignal; pollMs?: number }): Promise<number>;
  // Everything the container has printed so far (stdout and stderr interleaved).
  logs(): Promise<string>;
  start(): Promise<void>;
  // SIGTERM, then SIGKILL after timeoutS (default 10).
  stop(opts?: { timeoutS?: number; signal?: string }): Promise<void>;
  // stop (timeoutS as stop's), then start again.
  restart(opts?: { timeoutS?: number }): Promise<void>;
  // force: a running container is killed first.
  remove(opts?: { force?: boolean }): Promise<void>;
}

export interface Containers {
  // Creates and starts the container, detached.
  run(req: ContainerRequest): Promise<Container>;
  create(req: ContainerRequest): Promise<Container>;
  // By name, full ID or unique ID prefix.
  get(ref: string): Promise<Container>;
  // Running containers, or all; with a filter those it matches (ps --filter's kinds, typed).
  list(opts?: { all?: boolean; filter?: ContainerListFilter }): Promise<ContainerView[]>;
}

function hostPart(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

// The -p value for one mapping: [[hostIP:][hostPort]:]containerPort[/protocol].
export function publishValue(p: PublishPort): string {
  const host = p.hostIP !== undefined ? `${hostPart(p.hostIP)}:${p.hostPort ?? ''}:` : p.hostPort !== undefined ? `${p.hostPort}:` : '';
  return `${host}${p.containerPort}/${p.protocol ?? 'tcp'}`;
}

const keyValues = (r: Readonly<Record<string, string>> | undefined): string[] => Object.entries(r ?? {}).map(([k, v]) => `${k}=${v}`);

export function containerCreateRequest(req: ContainerRequest): ContainerCreateRequest {
  const optional = <K extends keyof ContainerRequest>(k: K) => (req[k] !== undefined ? { [k]: req[k] } : {});
  return {
    ...optional('name'),
    ...optional('image'),
    ...optional('rootfs'),
    ...optional('workdir'),
    ...optional('user'),
    command: [...(req.command ?? [])],
    ...(req.entrypoint ? { entrypoint: [...req.entrypoint] } : {}),
    env: keyValues(req.env),
    tty: false,
    interactive: false,
    readOnly: req.readOnly ?? false,
    autoRemove: false,
    labels: { ...req.labels },
    mounts: (req.mounts ?? []).map((m) => ({ source: m.source, destination: m.destination, readonly: m.readonly ?? false })),
    network: {
      networks: [...new Set(req.networks ?? [DEFAULT_NETWORK_NAME])],
      ...optional('ip'),
      ...optional('ip6'),
      ...optional('mac'),
      ...optional('hostname'),
      ...optional('domainname'),
      dns: [...new Set(req.dns ?? [])],
      dnsSearch: [...new Set(req.dnsSearch ?? [])],
      dnsOpt: [...new Set(req.dnsOptions ?? [])],
      addHost: (req.addHosts ?? []).map((h) => `${h.host}:${h.ip}`),
      publish: (req.publish ?? []).map(publishValue),
    },
  };
}

// Output of an exec into temp files: works alike for runc's exec and containerd's FIFOs.
async function captured(run: (stdio: ['ignore', number, number]) => Promise<number>): Promise<ExecResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nerdnet-exec-'));
  const out = await open(join(dir, 'stdout'), 'w+', 0o600);
  const err = await open(join(dir, 'stderr'), 'w+', 0o600);
  try {
    const exitCode = await run(['ignore', out.fd, err.fd]);
    return { exitCode, stdout: await readFile(join(dir, 'stdout'), 'utf8'), stderr: await readFile(join(dir, 'stderr'), 'utf8') };
  } finally {
    await out.close();
    await err.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function handle(manager: ContainerManager, rec: ContainerRecord): Container {
  const { id, name } = rec;
  const remove = async (opts: { force?: boolean } = {}) => void (await manager.remove(id, opts));
  return {
    id,
    name,
    inspect: () => manager.inspect(id),
    exec: (argv, opts = {}) =>
      captured((stdio) =>
        manager.exec(id, { args: [...argv], tty: false, env: keyValues(opts.env), stdio, ...(opts.workdir ? { workdir: opts.workdir } : {}), ...(opts.user ? { user: opts.user } : {}) }),
      ),
    async wait(opts = {}) {
      for (;;) {
        const { state } = await manager.view(id);
        if (!state.running) return state.exitCode;
        opts.signal?.throwIfAborted();
        await sleep(opts.pollMs ?? 100, undefined, opts.signal ? { signal: opts.signal } : undefined);
      }
    },
    async logs() {
      const chunks: Buffer[] = [];
      for await (const c of manager.logs(id)) chunks.push(c);
      return Buffer.concat(chunks).toString('utf8');
    },
    start: async () => void (await manager.start(id)),
    stop: async (opts = {}) => void (await manager.stop(id, opts)),
    restart: async (opts = {}) => void (await manager.restart(id, opts)),
    remove,
    [Symbol.asyncDispose]: () => remove({ force: true }),
  };
}

export function containersService(manager: () => Promise<ContainerManager>): Containers {
  return {
    run: async (req) => {
      const m = await manager();
      return handle(m, (await m.run(containerCreateRequest(req))).record);
    },
    create: async (req) => {
      const m = await manager();
      return handle(m, await m.create(containerCreateRequest(req)));
    },
    get: async (ref) => {
      const m = await manager();
      return handle(m, await m.resolve(ref));
    },
    list: async (opts = {}) => (await manager()).list(opts),
  };
}
