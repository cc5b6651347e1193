// Harness for the container tests: a busybox rootfs built from /bin/busybox, a temp data root and a
// temp runc --root per test file (the host's /var/lib/nerdctl and /run/runc are never touched), the
// CLI run as a user runs it, and a cleanup that removes exactly what the test made.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pidsWhere } from './helpers/host.js';
import { hashSocketPath } from '../src/lib/store/layout.js';

export const ENTRY = fileURLToPath(new URL('../src/bin/nerdnet.ts', import.meta.url));
const BUSYBOX = '/bin/busybox';

export function findRunc(): string | undefined {
  return ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc'].find((p) => existsSync(p));
}

// Why these tests cannot run here, or undefined.
export function containerSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (runc)';
  if (!findRunc()) return 'needs runc (apt-get install runc)';
  if (!existsSync(BUSYBOX)) return `needs ${BUSYBOX} (apt-get install busybox-static)`;
  return undefined;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class ContainerTestEnv {
  private constructor(
    readonly dir: string,
    readonly dataRoot: string,
    readonly runcRoot: string,
    readonly rootfs: string,
  ) {}

  // A busybox rootfs: /bin/busybox plus one symlink per applet, /etc and /tmp.
  static async create(label: string): Promise<ContainerTestEnv> {
    const dir = await mkdtemp(join(tmpdir(), `nerdnet-${label}-`));
    const env = new ContainerTestEnv(dir, join(dir, 'data'), join(dir, 'runc'), join(dir, 'rootfs'));
    const bin = join(env.rootfs, 'bin');
    await mkdir(bin, { recursive: true });
    await mkdir(join(env.rootfs, 'etc'));
    await mkdir(join(env.rootfs, 'tmp'));
    await copyFile(BUSYBOX, join(bin, 'busybox'));
    const applets = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((a) => a && a !== 'busybox');
    for (const a of applets) await symlink('busybox', join(bin, a));
    return env;
  }

  // `nerdnet --data-root <temp> ARGS` with runc's state in the temp runc root.
  cli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): CliResult {
    const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, '--data-root', this.dataRoot, ...args], {
      encoding: 'utf8',
      // CNI configs, results and port reservers in the temp dir too: a test never touches the host's.
      env: { ...process.env, NERDNET_RUNC_ROOT: this.runcRoot, NETCONFPATH: join(this.dir, 'net.d'), NERDNET_CNI_CACHE_DIR: join(this.dir, 'cni'), NERDNET_RUN_DIR: join(this.dir, 'run'), ...opts.env },
      input: opts.input ?? '',
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  // Like cli() but throws with the output when the exit status is not 0.
  ok(args: string[]): string {
    const r = this.cli(args);
    if (r.status !== 0) throw new Error(`nerdnet ${args.join(' ')} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  runcIds(): string[] {
    const runc = findRunc() ?? 'runc';
    const r = spawnSync(runc, ['--root', this.runcRoot, 'list', '-q'], { encoding: 'utf8' });
    return r.stdout.split('\n').filter(Boolean);
  }

  // The containerd address the CLI runs with: the data store is per address, `<dataRoot>/<hash>`.
  address = process.env.CONTAINERD_ADDRESS ?? '/run/containerd/containerd.sock';

  // This address's data store under the temp data root.
  store(): string {
    return join(this.dataRoot, hashSocketPath(this.address));
  }

  // Entries of a store directory like containers/default, names/default, etchosts/default.
  entries(sub: string): string[] {
    const p = join(this.store(), sub);
    return existsSync(p) ? readdirSync(p).filter((n) => !n.startsWith('.')) : [];
  }

  mountsUnder(): string[] {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(this.dir));
  }

  // Poll `fn` until it returns a value (not undefined) or the deadline passes; never asserts timing.
  static async until<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await sleep(100);
    }
  }

  // PIDs of container monitors (shims) of this env's containers still alive.
  shimPids(): number[] {
    const ids = new Set([...this.entries('containers/default'), ...this.runcIds()]);
    return pidsWhere((argv) => argv.includes('nerdnet-shim') && argv.some((a) => ids.has(a)));
  }


  // Kill and delete this test's runc containers by ID, let their monitors finish (they may still run
  // `nerdnet rm` for --rm), unmount its mounts, remove its files.
  async cleanup(): Promise<{ leftRunc: string[] }> {
    const runc = findRunc() ?? 'runc';
    const shims = this.shimPids();
    for (const id of this.runcIds()) {
      spawnSync(runc, ['--root', this.runcRoot, 'kill', '--all', id, 'KILL'], { stdio: 'ignore' });
      spawnSync(runc, ['--root', this.runcRoot, 'delete', '--force', id], { stdio: 'ignore' });
    }
    const leftRunc = this.runcIds();
    const deadline = Date.now() + 15_000;
    while (shims.some(processAlive) && Date.now() < deadline) await sleep(100);
    // Only the monitors this env started, by PID.
    for (const pid of shims.filter(processAlive)) process.kill(pid, 'SIGKILL');
    for (const m of this.mountsUnder().reverse()) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    await rm(this.dir, { recursive: true, force: true });
    return { leftRunc };
  }
}

// True while `pid` runs (a zombie counts as gone).
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export const NONE = ['--network', 'none'];
export const HOST = ['--network', 'host'];
