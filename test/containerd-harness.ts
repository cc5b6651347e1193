// A private containerd for tests: Debian's daemon with its own root, state, socket and config in a
// temp dir (the host's /run/containerd daemon is never used), the CRI plugin off, started as a child
// and stopped by its PID. stop() deletes what its tasks left, unmounts, removes the dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContainerdClient } from '../src/lib/containerd/client.js';
import { isNotFound } from '../src/lib/containerd/errors.js';
import { DEFAULT_GOCODE_ROOT } from '../src/lib/containerd/proto.js';
import { importImageArchive, type ImportedImage } from '../src/lib/containerd/image-import.js';
import { listNamespaces } from '../src/lib/containerd/namespaces.js';
import { busyboxImageArchive, busyboxSkipReason } from './helpers/busybox-image.js';
import { pidsWhere } from './helpers/host.js';

export const CONTAINERD = '/usr/bin/containerd';
export const CTR = '/usr/bin/ctr';
const SHIM = 'containerd-shim-runc-v2';
// containerd 1.6 puts shim sockets under /run/containerd/s whatever its --state says.
const SHIM_SOCKET_DIRS = ['/run/containerd/s', '/run/containerd'];

// Why containerd tests cannot run here, or undefined.
export function containerdSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (containerd)';
  if (!existsSync(CONTAINERD) || !existsSync(CTR)) return 'needs containerd (apt-get install containerd)';
  if (!existsSync(join(DEFAULT_GOCODE_ROOT, 'github.com/containerd/containerd/api/services/tasks/v1/tasks.proto'))) return 'needs golang-github-containerd-containerd-dev (the API .proto files)';
  return busyboxSkipReason();
}

export interface ContainerdStartOptions {
  // The CRI `cni` section nerdnet's discovery reads from containerd's config.toml.
  cniConfDir?: string;
  cniBinDir?: string;
}

export interface CtrResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function containerdConfig(dir: string, opts: ContainerdStartOptions = {}): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    'version = 2',
    `root = ${q(join(dir, 'root'))}`,
    `state = ${q(join(dir, 'state'))}`,
    // CRI would take over CNI; the other snapshotters only log why they cannot run here.
    'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]',
    '[grpc]',
    `  address = ${q(join(dir, 'c.sock'))}`,
    '[ttrpc]',
    `  address = ${q(join(dir, 'c.sock.ttrpc'))}`,
    '[debug]',
    `  address = ${q(join(dir, 'debug.sock'))}`,
    '[plugins]',
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = ${q(join(dir, 'opt'))}`,
  ];
  if (opts.cniConfDir || opts.cniBinDir) {
    lines.push('  [plugins."io.containerd.grpc.v1.cri".cni]');
    if (opts.cniBinDir) lines.push(`    bin_dir = ${q(opts.cniBinDir)}`);
    if (opts.cniConfDir) lines.push(`    conf_dir = ${q(opts.cniConfDir)}`);
  }
  return `${lines.join('\n')}\n`;
}

export class TestContainerd {
  private readonly clients: ContainerdClient[] = [];

  // Shim socket dirs that did not exist before this daemon: removed by stop() when empty.
  private readonly madeDirs = SHIM_SOCKET_DIRS.filter((d) => !existsSync(d));

  private constructor(
    readonly dir: string,
    readonly child: ChildProcess,
  ) {}

  get address(): string {
    return join(this.dir, 'c.sock');
  }

  get configPath(): string {
    return join(this.dir, 'config.toml');
  }

  get logPath(): string {
    return join(this.dir, 'containerd.log');
  }

  get pid(): number {
    return this.child.pid as number;
  }

  static async start(label: string, opts: ContainerdStartOptions = {}): Promise<TestContainerd> {
    const dir = await mkdtemp(join(tmpdir(), `nerdnet-ctrd-${label}-`));
    await writeFile(join(dir, 'config.toml'), containerdConfig(dir, opts));
    const log = openSync(join(dir, 'containerd.log'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(CONTAINERD, ['--config', join(dir, 'config.toml'), '--root', join(dir, 'root'), '--state', join(dir, 'state'), '--address', join(dir, 'c.sock')], {
        stdio: ['ignore', log, log],
        // The runc shim runs runc from PATH.
        env: { ...process.env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
      });
    } finally {
      closeSync(log);
    }
    const env = new TestContainerd(dir, child);
    try {
      await env.waitReady();
    } catch (err) {
      await env.stop();
      throw err;
    }
    return env;
  }

  private async waitReady(): Promise<void> {
    const client = this.client();
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`containerd exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.log()}`);
      if (existsSync(this.address)) {
        try {
          await client.version({ timeoutMs: 2_000 });
          return;
        } catch {
          // not serving yet
        }
      }
      if (Date.now() > deadline) throw new Error(`containerd did not answer on ${this.address}:\n${this.log()}`);
      await sleep(50);
    }
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  }

  // A client of this daemon (closed by stop()).
  client(namespace = 'default'): ContainerdClient {
    const c = ContainerdClient.open({ address: this.address, namespace });
    this.clients.push(c);
    return c;
  }

  ctr(args: string[], namespace = 'default'): CtrResult {
    const r = spawnSync(CTR, ['--address', this.address, '--namespace', namespace, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  // busybox:latest imported (and unpacked) by nerdnet's own import.
  async loadBusybox(namespace = 'default'): Promise<ImportedImage> {
    const [img] = await importImageArchive(this.client(namespace), await busyboxImageArchive());
    if (!img) throw new Error('the busybox archive held no image');
    return img;
  }

  // PIDs of runc shims this daemon started (their command line names its socket).
  shimPids(): number[] {
    return pidsWhere((argv) => (argv[0] ?? '').endsWith(SHIM) && argv.includes(this.address));
  }


  // Kill and delete every task of every namespace, so the shims exit.
  private async deleteTasks(): Promise<void> {
    const root = this.client();
    const namespaces = await listNamespaces(root).catch(() => []);
    for (const ns of namespaces) {
      const c = root.withNamespace(ns.name);
      const { tasks } = await c.unary<{ tasks: Array<{ id: string }> }>('tasks', 'List', {}).catch(() => ({ tasks: [] }));
      for (const t of tasks) {
        await c.unary('tasks', 'Kill', { containerId: t.id, signal: 9, all: true }).catch(() => {});
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const ok = await c.unary('tasks', 'Delete', { containerId: t.id }).then(
            () => true,
            (err: unknown) => isNotFound(err),
          );
          if (ok) break;
          await sleep(100);
        }
      }
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.deleteTasks().catch(() => {});
    }
    const shims = this.shimPids();
    for (const c of this.clients) c.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      if ((await Promise.race([exited, sleep(10_000, 'timeout', { ref: false })])) === 'timeout') {
        this.child.kill('SIGKILL');
        await exited;
      }
    }
    // Shims outlive containerd by design; these are only the ones our daemon started.
    for (const pid of [...new Set([...shims, ...this.shimPids()])]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m === this.dir || m.startsWith(`${this.dir}/`))
      .reverse();
    for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    await rm(this.dir, { recursive: true, force: true });
    // Only when empty: another daemon's shim may still use them.
    for (const d of this.madeDirs) {
      try {
        rmdirSync(d);
      } catch {
        // not empty or not there
      }
    }
  }
}
