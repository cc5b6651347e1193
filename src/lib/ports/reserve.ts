// The rootful port reserver: a detached `sleep infinity` that holds one
// bound socket per TCP/UDP mapping, so other programs get EADDRINUSE instead of silently losing their
// traffic to portmap's DNAT, and /proc/net shows the ports to the next conflict check.
// Why a helper process: the OCI hook exits right after CNI ADD, and its sockets would go with it.
// Why `sleep`: ~1 MB instead of a Node process; it never reads the sockets, it only keeps them open.
// It is ended by PID only, after checking /proc/<pid>/cmdline, so a reused PID is never killed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, rmdir } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, dirname } from 'node:path';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { NerdnetError } from '../errors.js';
import { libc as loadLibc } from '../host/libc.js';
import { parseIP } from '../ip/index.js';
import type { IP } from '../ip/index.js';
import { writeFileAtomic } from '../store/atomic.js';
import { joinHostPort } from './hostip.js';
import type { PortMapping } from './types.js';

// Linux socket ABI (identical on x86_64 and arm64).
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const IPPROTO_IPV6 = 41;
const IPV6_V6ONLY = 26;

interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Buffer, len: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  close: (fd: number) => number;
  strerror: (errno: number) => string;
  errno: () => number;
}
let libc: Libc | undefined;

function lib(): Libc {
  if (!libc) {
    const { lib: l, errno } = loadLibc();
    libc = {
      socket: l.func('int socket(int domain, int type, int protocol)') as Libc['socket'],
      setsockopt: l.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)') as Libc['setsockopt'],
      bind: l.func('int bind(int fd, const void *addr, uint32_t len)') as Libc['bind'],
      listen: l.func('int listen(int fd, int backlog)') as Libc['listen'],
      close: l.func('int close(int fd)') as Libc['close'],
      strerror: l.func('const char *strerror(int errnum)') as Libc['strerror'],
      errno,
    };
  }
  return libc;
}

// struct sockaddr_in / sockaddr_in6: family in host order, port and address in network order.
function sockaddr(ip: IP, port: number): Buffer {
  const b = Buffer.alloc(ip.family === 4 ? 16 : 28);
  if (endianness() === 'LE') b.writeUInt16LE(ip.family === 4 ? AF_INET : AF_INET6, 0);
  else b.writeUInt16BE(ip.family === 4 ? AF_INET : AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  const bytes = ip.family === 4 ? 4 : 16;
  for (let i = 0; i < bytes; i++) b[(ip.family === 4 ? 4 : 8) + i] = Number((ip.value >> BigInt(8 * (bytes - 1 - i))) & 0xffn);
  return b;
}

// One bound (and for TCP listening) socket, or why it could not be made.
function holdSocket(m: PortMapping): number | string {
  const c = lib();
  const ip = parseIP(m.hostIP);
  const fd = c.socket(ip.family === 4 ? AF_INET : AF_INET6, (m.protocol === 'tcp' ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (fd < 0) return c.strerror(c.errno());
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  // Like Go's net.Listen: TCP listeners may reuse a port with TIME_WAIT leftovers; UDP must stay exclusive.
  const steps: Array<() => number> = [];
  if (m.protocol === 'tcp') steps.push(() => c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4));
  // [::] covers IPv6 only, as portmap's ip6tables rules do; 0.0.0.0 is reserved separately.
  if (ip.family === 6 && ip.value === 0n) steps.push(() => c.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, one, 4));
  steps.push(() => {
    const addr = sockaddr(ip, m.hostPort);
    return c.bind(fd, addr, addr.length);
  });
  if (m.protocol === 'tcp') steps.push(() => c.listen(fd, 128));
  for (const step of steps) {
    if (step() !== 0) {
      const why = c.strerror(c.errno());
      c.close(fd);
      return why;
    }
  }
  return fd;
}

export interface ReserveOptions {
  // Where the reserver's PID goes: /run/nerdctl/<ns>/<id>/port-reserver.pid.
  pidFile: string;
  // Defaults to /usr/bin/sleep or /bin/sleep.
  sleepPath?: string;
}

export interface PortReservation {
  // undefined when no mapping could be held (then no process and no PID file exist).
  readonly pid: number | undefined;
  readonly held: readonly PortMapping[];
  // SCTP (Node and Go have no SCTP sockets here) and bind failures such as "Address already in use".
  readonly skipped: ReadonlyArray<{ mapping: PortMapping; reason: string }>;
  // Same as releasePortReservation(pidFile); another process (postStop, stop) uses that instead.
  release(): Promise<boolean>;
}

function sleepBinary(): string {
  return ['/usr/bin/sleep', '/bin/sleep'].find((p) => existsSync(p)) ?? 'sleep';
}

/** Hold every TCP/UDP mapping's host port in a detached `sleep infinity`; release with releasePortReservation. */
export async function reservePorts(mappings: readonly PortMapping[], opts: ReserveOptions): Promise<PortReservation> {
  const held: PortMapping[] = [];
  const fds: number[] = [];
  const skipped: Array<{ mapping: PortMapping; reason: string }> = [];
  try {
    for (const m of mappings) {
      if (m.protocol === 'sctp') {
        skipped.push({ mapping: m, reason: 'SCTP ports are not reserved' });
        continue;
      }
      const r = holdSocket(m);
      if (typeof r === 'string') skipped.push({ mapping: m, reason: `cannot bind ${m.protocol} ${joinHostPort(m.hostIP, m.hostPort)}: ${r}` });
      else {
        fds.push(r);
        held.push(m);
      }
    }
    const release = (): Promise<boolean> => releasePortReservation(opts.pidFile);
    if (fds.length === 0) return { pid: undefined, held, skipped, release };
    const child = spawn(opts.sleepPath ?? sleepBinary(), ['infinity'], { detached: true, stdio: ['ignore', 'ignore', 'ignore', ...fds], env: {} });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new NerdnetError('ERR_HOST', `cannot start the port reserver (sleep infinity): ${err.message}`, { cause: err })));
    });
    child.unref();
    const pid = child.pid as number;
    try {
      await writeFileAtomic(opts.pidFile, String(pid), { mode: 0o644, dirMode: 0o700 });
    } catch (err) {
      process.kill(pid, 'SIGKILL');
      throw err;
    }
    return { pid, held, skipped, release };
  } finally {
    // The child has its own copies; ours would otherwise keep the ports after the reserver is killed.
    for (const fd of fds) lib().close(fd);
  }
}

// True when `pid` is a `sleep infinity` (the reserver), so a reused PID is left alone.
async function isReserver(pid: number): Promise<boolean> {
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return basename(argv[0] ?? '') === 'sleep' && argv[1] === 'infinity';
  } catch {
    return false;
  }
}

// Gone or a zombie: its sockets are closed either way.
async function exited(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/**
 * Kill the reserver named in `pidFile` (by PID, after checking it is one) and remove the file and its
 * directory if empty, as nerdctl's postStop and `stop` do. Returns whether a process was killed.
 */
export async function releasePortReservation(pidFile: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new NerdnetError('ERR_HOST', `cannot read ${pidFile}: ${(err as Error).message}`, { cause: err });
  }
  const pid = /^\s*[0-9]+\s*$/.test(text) ? Number(text) : NaN;
  let killed = false;
  if (pid > 1 && (await isReserver(pid))) {
    try {
      process.kill(pid, 'SIGKILL');
      killed = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new NerdnetError('ERR_HOST', `cannot kill the port reserver ${pid}: ${(err as Error).message}`, { cause: err });
    }
    // Return only once the sockets are closed, so the caller can reuse the ports at once.
    for (let i = 0; killed && i < 200 && !(await exited(pid)); i++) await sleepMs(5);
  }
  await rm(pidFile, { force: true });
  await rmdir(dirname(pidFile)).catch(() => undefined);
  return killed;
}
