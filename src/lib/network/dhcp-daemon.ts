// The CNI dhcp daemon: dhcp networks need `<cnibin>/dhcp daemon` listening on the
// conflist's daemonSocketPath. The attach path calls ensureDhcpDaemon before ADD on such a network.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { lstat, mkdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NerdnetError } from '../errors.js';
import type { NetworkConfigList } from '../cni/conf.js';
import { findInPath } from '../cni/find.js';
import { isPlainObject } from '../cni/result-types.js';
import { withLock } from '../store/flock.js';
import { DEFAULT_DHCP_SOCKET } from './types.js';

export interface DhcpDaemonOptions {
  pluginDirs: readonly string[];
  // Default /run/cni/dhcp.sock (nerdctl's CNI runtime dir).
  socketPath?: string;
  // The daemon's stdout/stderr; default: discarded.
  logFile?: string;
  // Extra daemon flags, e.g. ["-broadcast"] or ["-timeout", "5s"].
  args?: readonly string[];
  // How long to wait for the socket to accept connections (default 10 s).
  timeoutMs?: number;
}

export interface DhcpDaemonStatus {
  socketPath: string;
  started: boolean;
  pid?: number;
}

// The dhcp daemon socket a network needs, or undefined when it uses no dhcp IPAM: the attach
// path calls ensureDhcpDaemon({socketPath}) with it before ADD.
export function dhcpSocketOf(list: NetworkConfigList): string | undefined {
  for (const p of list.plugins) {
    const ipam = p.raw.ipam;
    if (isPlainObject(ipam) && ipam.type === 'dhcp') {
      return typeof ipam.daemonSocketPath === 'string' && ipam.daemonSocketPath !== '' ? ipam.daemonSocketPath : DEFAULT_DHCP_SOCKET;
    }
  }
  return undefined;
}

// A socket file alone proves nothing (a crashed daemon leaves it): connect to it.
export function dhcpSocketAlive(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await rm(path, { force: true });
  } catch {
    // absent
  }
}

async function start(opts: DhcpDaemonOptions, socketPath: string): Promise<number> {
  const plugin = await findInPath('dhcp', opts.pluginDirs);
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
  await removeStaleSocket(socketPath);
  const log = opts.logFile ? openSync(opts.logFile, 'a', 0o600) : 'ignore';
  let exited: string | undefined;
  const child = spawn(plugin, ['daemon', '-socketpath', socketPath, ...(opts.args ?? [])], { detached: true, stdio: ['ignore', log, log] });
  if (typeof log === 'number') closeSync(log);
  child.on('exit', (code, signal) => (exited = signal ? `signal ${signal}` : `exit status ${code}`));
  child.on('error', (e) => (exited = e.message));
  // The daemon outlives us: it keeps renewing leases for running containers.
  child.unref();
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (await dhcpSocketAlive(socketPath)) return child.pid ?? 0;
    if (exited !== undefined) break;
    await sleep(50);
  }
  if (exited === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  const where = opts.logFile ? `; see ${opts.logFile}` : '';
  throw new NerdnetError('ERR_HOST', `the CNI dhcp daemon (${plugin} daemon -socketpath ${socketPath}) did not start: ${exited ?? 'its socket never accepted connections'}${where}`);
}

// Start the dhcp daemon unless one answers on the socket; safe to call from several processes.
export async function ensureDhcpDaemon(opts: DhcpDaemonOptions): Promise<DhcpDaemonStatus> {
  const socketPath = opts.socketPath ?? DEFAULT_DHCP_SOCKET;
  if (await dhcpSocketAlive(socketPath)) return { socketPath, started: false };
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
  return withLock(`${socketPath}.lock`, async () => {
    if (await dhcpSocketAlive(socketPath)) return { socketPath, started: false };
    const pid = await start(opts, socketPath);
    return { socketPath, started: true, pid };
  });
}
