// The responder's process model (docs/dns.md): one instance per run dir, holding an exclusive flock
// on `dns.lock` for its life and naming itself in `dns.pid`; started detached by the first caller
// that needs it, which waits for a readiness line on fd 3 (written once the sockets are bound);
// re-reads `dns.json` and the hosts store on SIGHUP; exits when no record is left.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { NerdnetError } from '../errors.js';
import { getNameservers } from '../etc/resolv-conf.js';
import { noLogger } from '../etc/types.js';
import type { Logger } from '../etc/types.js';
import { writeFileAtomic } from '../store/atomic.js';
import { FileLock } from '../store/flock.js';
import { loadDnsRecords, NameTable } from './records.js';
import { DnsResponder, parseUpstreams } from './responder.js';
import type { Endpoint, Listener, ResponderOptions, ResponderState } from './responder.js';

export const DNS_CONFIG = 'dns.json';
export const DNS_PID = 'dns.pid';
export const DNS_LOG = 'dns.log';
// Held by the running instance for its whole life.
const INSTANCE_LOCK = 'dns.lock';
// Held by a starter while it checks and starts, and by an instance while it decides to exit.
const START_LOCK = 'dns-start.lock';
export const UPSTREAMS_ENV = 'NERDNET_DNS_UPSTREAMS';
export const HOST_RESOLV_CONF = '/etc/resolv.conf';

const configSchema = z.object({
  // Hosts stores whose records are served.
  sources: z.array(z.object({ dataStore: z.string().min(1), namespace: z.string().min(1) })),
  // DNS-enabled networks: the addresses to listen on (their gateways) and whether they are internal.
  networks: z.record(z.string(), z.object({ listen: z.array(z.union([z.ipv4(), z.ipv6()])), internal: z.boolean().optional() })),
  port: z.number().int().min(0).max(65535).optional(),
  // Upstreams as `ip[:port]`; NERDNET_DNS_UPSTREAMS overrides; default: the host's resolv.conf.
  upstreams: z.array(z.string()).optional(),
});

// `dns.json`, written by whoever attaches containers to DNS networks (atomically, under its lock).
export type DnsConfig = z.infer<typeof configSchema>;

export function readDnsConfig(runDir: string): DnsConfig {
  const path = join(runDir, DNS_CONFIG);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { sources: [], networks: {} };
    throw new NerdnetError('ERR_INVALID_CONFIG', `${path}: ${(err as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new NerdnetError('ERR_INVALID_CONFIG', `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export async function writeDnsConfig(runDir: string, config: DnsConfig): Promise<void> {
  await writeFileAtomic(join(runDir, DNS_CONFIG), `${JSON.stringify(configSchema.parse(config), null, 2)}\n`, { mode: 0o644 });
}

// The environment's upstreams, else the config's, else the host's first three nameservers.
export function upstreamsOf(config: DnsConfig, env: NodeJS.ProcessEnv, hostResolvConf = HOST_RESOLV_CONF): Endpoint[] {
  const spec = env[UPSTREAMS_ENV];
  if (spec !== undefined) return parseUpstreams(spec);
  if (config.upstreams) return parseUpstreams(config.upstreams.join(','));
  let content = '';
  try {
    content = readFileSync(hostResolvConf, 'utf8');
  } catch {
    return [];
  }
  return parseUpstreams(getNameservers(content).join(','));
}

// One listener per listen address, serving every network that lists it.
export function listenersOf(config: DnsConfig): Listener[] {
  const byHost = new Map<string, string[]>();
  for (const [name, n] of Object.entries(config.networks)) for (const host of n.listen) byHost.set(host, [...(byHost.get(host) ?? []), name]);
  return [...byHost].map(([host, networks]) => ({ host, port: config.port ?? 53, networks: networks.sort() }));
}

export async function loadResponderState(runDir: string, env: NodeJS.ProcessEnv, logger?: Logger, hostResolvConf?: string): Promise<ResponderState> {
  const config = readDnsConfig(runDir);
  const networks = new Set(Object.keys(config.networks));
  const internal = new Set(Object.entries(config.networks).filter(([, n]) => n.internal === true).map(([name]) => name));
  const records = await loadDnsRecords(config.sources, logger);
  return { table: new NameTable(records, { networks, internal }), listeners: listenersOf(config), upstreams: upstreamsOf(config, env, hostResolvConf) };
}

// What an instance reports on its readiness fd, one JSON line.
export type Readiness =
  | { state: 'ready'; pid: number; addresses: Array<{ udp: Endpoint; tcp: Endpoint }> }
  // Nothing to serve: it exited at once.
  | { state: 'empty' }
  // Another instance holds the run dir.
  | { state: 'busy' }
  | { state: 'error'; message: string };

export interface DnsServiceOptions {
  runDir: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  hostResolvConf?: string;
  responder?: Omit<ResponderOptions, 'load' | 'logger'>;
}

// The instance, run in the responder's own process (src/bin/nerdnet-dns.ts).
export class DnsService {
  private lock: FileLock | undefined;
  private responder: DnsResponder | undefined;
  private stopped = false;
  private finish!: () => void;
  // Settles when the instance has stopped (empty, or stop()).
  readonly done = new Promise<void>((resolve) => (this.finish = resolve));
  private readonly log: Logger;

  constructor(private readonly opts: DnsServiceOptions) {
    this.log = opts.logger ?? noLogger;
  }

  async start(): Promise<Readiness> {
    await mkdir(this.opts.runDir, { recursive: true, mode: 0o700 });
    try {
      this.lock = await FileLock.acquire(join(this.opts.runDir, INSTANCE_LOCK), { timeoutMs: 0 });
    } catch (err) {
      if (NerdnetError.is(err) && err.code === 'ERR_LOCK') return this.end({ state: 'busy' });
      throw err;
    }
    const responder = new DnsResponder({
      ...this.opts.responder,
      load: () => loadResponderState(this.opts.runDir, this.opts.env ?? process.env, this.log, this.opts.hostResolvConf),
      logger: this.log,
    });
    this.responder = responder;
    try {
      const state = await responder.start();
      if (isEmpty(state)) {
        await this.shutdown();
        return this.end({ state: 'empty' });
      }
      await writeFileAtomic(join(this.opts.runDir, DNS_PID), `${process.pid}\n`, { mode: 0o644 });
      this.log('info', `dns: serving ${state.table.records} containers on ${responder.addresses().map((a) => `${a.udp.host}:${a.udp.port}`).join(', ')}`);
    } catch (err) {
      // Nothing half-started stays: sockets closed, lock released, so the next start can try again.
      await this.shutdown();
      return this.end({ state: 'error', message: (err as Error).message });
    }
    return { state: 'ready', pid: process.pid, addresses: responder.addresses() };
  }

  // SIGHUP: re-read; exit when nothing is left to serve. The exit is decided under the start lock, so
  // a starter that wrote a record meanwhile either signals this instance first or starts a new one.
  async reload(): Promise<void> {
    const responder = this.responder;
    if (!responder || this.stopped) return;
    try {
      if (!isEmpty(await responder.reload())) return;
      const startLock = await FileLock.acquire(join(this.opts.runDir, START_LOCK));
      try {
        if (isEmpty(await responder.reload())) await this.stop();
      } finally {
        startLock.release();
      }
    } catch (err) {
      // A bad dns.json or a listen address not (yet) present: keep serving what was loaded.
      this.log('warn', `dns: reload failed, still serving the previous records: ${(err as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    await this.shutdown();
    this.end(undefined);
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    await this.responder?.close();
    if (this.lock) rmSync(join(this.opts.runDir, DNS_PID), { force: true });
    this.lock?.release();
    this.lock = undefined;
  }

  private end<T>(value: T): T {
    this.stopped = true;
    this.finish();
    return value;
  }
}

function isEmpty(state: ResponderState): boolean {
  return state.table.records === 0 || state.listeners.length === 0;
}

// The pid in `dns.pid`, when the file holds one.
export function readDnsPid(runDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(runDir, DNS_PID), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

// Whether an instance holds the run dir (its lock is the truth; the pid file may be stale).
async function instanceRunning(runDir: string): Promise<boolean> {
  try {
    const probe = await FileLock.acquire(join(runDir, INSTANCE_LOCK), { timeoutMs: 0 });
    probe.release();
    return false;
  } catch (err) {
    if (NerdnetError.is(err) && err.code === 'ERR_LOCK') return true;
    throw err;
  }
}

export interface EnsureOptions {
  runDir: string;
  // The argv that runs an instance (src/bin/nerdnet-dns.ts); `--run-dir <dir>` is appended.
  command: readonly string[];
  env?: NodeJS.ProcessEnv;
  // How long to wait for the readiness line (default 10 s).
  timeoutMs?: number;
}

export type EnsureResult = { state: 'started'; pid: number; addresses: Array<{ udp: Endpoint; tcp: Endpoint }> } | { state: 'signalled'; pid: number } | { state: 'empty' };

// After records changed: signal the running instance, or start one and wait until it is ready.
export async function ensureDnsResponder(opts: EnsureOptions): Promise<EnsureResult> {
  await mkdir(opts.runDir, { recursive: true, mode: 0o700 });
  const startLock = await FileLock.acquire(join(opts.runDir, START_LOCK), { timeoutMs: opts.timeoutMs ?? 10_000 });
  try {
    if (await instanceRunning(opts.runDir)) {
      const pid = signalPid(opts.runDir);
      return { state: 'signalled', pid };
    }
    const ready = await startInstance(opts);
    if (ready.state === 'ready') return { state: 'started', pid: ready.pid, addresses: ready.addresses };
    if (ready.state === 'empty') return { state: 'empty' };
    throw new NerdnetError('ERR_HOST', `DNS responder did not start: ${ready.state === 'error' ? ready.message : 'another instance holds the run dir'} (see ${join(opts.runDir, DNS_LOG)})`);
  } finally {
    startLock.release();
  }
}

// After records went away: signal the running instance, if any (it exits when none is left).
export async function signalDnsResponder(runDir: string): Promise<number | undefined> {
  if (!(await instanceRunning(runDir))) return undefined;
  return signalPid(runDir);
}

function signalPid(runDir: string): number {
  const pid = readDnsPid(runDir);
  if (pid === undefined) throw new NerdnetError('ERR_HOST', `a DNS responder holds ${join(runDir, INSTANCE_LOCK)} but ${join(runDir, DNS_PID)} names no process`);
  process.kill(pid, 'SIGHUP');
  return pid;
}

// Spawn detached (own session, stdin and stdout /dev/null, stderr to dns.log) and read one line from fd 3.
async function startInstance(opts: EnsureOptions): Promise<Readiness> {
  const [file, ...args] = opts.command;
  if (file === undefined) throw new NerdnetError('ERR_INVALID_ARG', 'the DNS responder command is empty');
  const logFd = openSync(join(opts.runDir, DNS_LOG), 'a', 0o600);
  let child;
  try {
    child = spawn(file, [...args, '--run-dir', opts.runDir], { detached: true, stdio: ['ignore', 'ignore', logFd, 'pipe'], env: opts.env ?? process.env });
  } finally {
    closeSync(logFd);
  }
  const pipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  try {
    return await new Promise<Readiness>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new NerdnetError('ERR_HOST', `DNS responder (pid ${child.pid}) not ready within ${timeoutMs} ms`)), timeoutMs);
      const settle = (r: Readiness): void => {
        clearTimeout(timer);
        resolve(r);
      };
      child.once('error', (err) => settle({ state: 'error', message: err.message }));
      pipe.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        const nl = text.indexOf('\n');
        if (nl >= 0) settle(parseReadiness(text.slice(0, nl)));
      });
      pipe.on('end', () => settle(text.includes('\n') ? parseReadiness(text.slice(0, text.indexOf('\n'))) : { state: 'error', message: `exited before it was ready (code ${child.exitCode ?? 'unknown'})` }));
    });
  } catch (err) {
    // Ours, and not ready: end it by its pid.
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    throw err;
  } finally {
    pipe.destroy();
    child.unref();
  }
}

function parseReadiness(line: string): Readiness {
  try {
    return JSON.parse(line) as Readiness;
  } catch {
    return { state: 'error', message: `unreadable readiness line ${JSON.stringify(line)}` };
  }
}
