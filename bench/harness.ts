// Container benchmarks: the built CLI (`node dist/nerdnet.js`) run as a user runs it, with the tests'
// isolation (temp data root, conf dir, result cache, run dir and runc root; networks in 10.200.0.0/16),
// timed per call, and a cleanup that removes exactly what the bench made and says what was left.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerTestEnv, containerSkipReason } from '../test/container-harness.js';
import { deleteLink, rootSkipReason, rulesMentioning, testSubnet, uniqueTag } from '../test/helpers/host.js';
import { leaksOf } from '../test/helpers/leaks.js';

export const CLI = fileURLToPath(new URL('../dist/nerdnet.js', import.meta.url));
// GNU time: `%M` is the peak RSS (KiB) of the largest process of the waited-for tree (wait4's rusage).
export const GNU_TIME = '/usr/bin/time';
const RSS_TAG = 'nerdnet-bench-maxrss=';

// Why the container benchmarks cannot run here, or undefined.
export function containerBenchMissing(): string | undefined {
  if (!existsSync(CLI)) return 'needs the built CLI (npm run build)';
  return containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']);
}

// A container count from the environment, within one /24 network's room.
export function containerCountFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const n = Number(raw ?? fallback);
  if (!Number.isInteger(n) || n < min || n > 250) throw new Error(`${name}=${raw}: give a whole number from ${min} to 250 (one /24 network)`);
  return n;
}

export interface Timed {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  // With `rss`: peak RSS in KiB of the largest process the command waited for.
  maxRssKB?: number;
}

// Run argv, measuring wall time from spawn to exit (and the peak RSS under GNU time when asked).
export function timed(argv: string[], env: NodeJS.ProcessEnv, opts: { rss?: boolean } = {}): Promise<Timed> {
  const full = opts.rss ? [GNU_TIME, '-f', `${RSS_TAG}%M`, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(full[0] ?? '', full.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (status) => {
      const ms = performance.now() - t0;
      let stderr = Buffer.concat(err).toString();
      const r: Timed = { status, stdout: Buffer.concat(out).toString(), stderr, ms };
      const at = stderr.lastIndexOf(RSS_TAG);
      if (opts.rss && at >= 0) {
        r.maxRssKB = Number(stderr.slice(at + RSS_TAG.length).trim());
        stderr = stderr.slice(0, at);
        r.stderr = stderr.replace(/Command exited with non-zero status \d+\n$/, '');
      }
      resolve(r);
    });
  });
}

export function check(what: string, r: Timed): Timed {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

// Run `fn` over `items` with at most `limit` at once; results in item order.
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface BenchNetwork {
  name: string;
  bridge: string;
  subnet: string;
}

// One isolated nerdnet installation: its own data root, CNI conf dir, cache, run dir and runc root,
// a busybox rootfs dir for `--rootfs`, and the networks and containers it made.
export class NerdnetBench {
  readonly tag = uniqueTag();
  readonly networks: BenchNetwork[] = [];
  readonly ids = new Set<string>();

  private constructor(readonly env: ContainerTestEnv) {}

  static async create(label: string): Promise<NerdnetBench> {
    return new NerdnetBench(await ContainerTestEnv.create(`bench-${label}`));
  }

  get rootfs(): string {
    return this.env.rootfs;
  }

  get cacheDir(): string {
    return join(this.env.dir, 'cni');
  }

  // The command line and environment of `nerdnet ARGS` in this installation.
  command(args: string[]): { argv: string[]; env: NodeJS.ProcessEnv } {
    const e = this.env;
    const argv = [process.execPath, CLI, '--data-root', e.dataRoot, '--cni-netconfpath', join(e.dir, 'net.d'), '--cni-path', '/usr/lib/cni', ...args];
    const env = { ...process.env, NERDNET_RUNC_ROOT: e.runcRoot, NETCONFPATH: join(e.dir, 'net.d'), NERDNET_CNI_CACHE_DIR: this.cacheDir, NERDNET_RUN_DIR: join(e.dir, 'run') };
    return { argv, env };
  }

  cli(args: string[], opts: { rss?: boolean } = {}): Promise<Timed> {
    const { argv, env } = this.command(args);
    return timed(argv, env, opts);
  }

  async ok(args: string[], opts: { rss?: boolean } = {}): Promise<Timed> {
    return check(`nerdnet ${args.join(' ')}`, await this.cli(args, opts));
  }

  async network(label: string): Promise<BenchNetwork> {
    const { subnet } = testSubnet();
    const name = `nnb-${this.tag}-${label}`;
    const id = (await this.ok(['network', 'create', name, '--subnet', subnet])).stdout.trim();
    const n = { name, bridge: `br-${id.slice(0, 12)}`, subnet };
    this.networks.push(n);
    return n;
  }

  // `run -d [--name NAME] --network NETWORK` of CMD (a long sleep by default) in IMAGE (the busybox
  // rootfs dir by default).
  runDetachedArgs(network: string, opts: { image?: string; cmd?: string[]; name?: string } = {}): string[] {
    const what = opts.image === undefined ? ['--rootfs', this.rootfs] : [opts.image];
    return ['run', '-d', ...(opts.name === undefined ? [] : ['--name', opts.name]), '--network', network, ...what, ...(opts.cmd ?? ['sleep', '3600'])];
  }

  // That `run -d`, timed; the ID is remembered for cleanup.
  async runDetached(network: string, opts: { rss?: boolean; image?: string; cmd?: string[] } = {}): Promise<Timed & { id: string }> {
    const r = await this.ok(this.runDetachedArgs(network, opts), { rss: opts.rss ?? false });
    const id = r.stdout.trim();
    this.ids.add(id);
    return { ...r, id };
  }

  // `rm -f` of these containers, `limit` CLIs at once (a few IDs each).
  async removeContainers(ids: readonly string[], limit = 4): Promise<void> {
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += 5) batches.push(ids.slice(i, i + 5));
    await pool(batches, limit, async (b) => {
      await this.ok(['rm', '-f', ...b]);
      for (const id of b) this.ids.delete(id);
    });
  }

  // What of this bench's containers is still on the host (leases, veths, rules, cache, state, names).
  leaks(ids: readonly string[]): string[] {
    return leaksOf(
      { cniIDs: ids.map((i) => `default-${i}`), ids: [...ids], networks: this.networks.map((n) => n.name), cacheDir: this.cacheDir, store: this.env.store() },
      this.networks.map((n) => n.bridge),
    );
  }

  // Remove every container and network this bench made and its temp dir; returns what leaked
  // (containers' leftovers, and rules naming a removed network's bridge).
  async cleanup(allIds: readonly string[]): Promise<string[]> {
    const problems: string[] = [];
    try {
      await this.removeContainers([...this.ids], 4);
    } catch (err) {
      problems.push(`rm: ${(err as Error).message.split('\n')[0] ?? ''}`);
    }
    problems.push(...this.leaks(allIds));
    for (const n of this.networks) {
      const r = await this.cli(['network', 'rm', n.name]);
      if (r.status !== 0) problems.push(`network rm ${n.name}: ${r.stderr.trim()}`);
      problems.push(...rulesMentioning(n.bridge));
    }
    const { leftRunc } = await this.env.cleanup();
    problems.push(...leftRunc.map((id) => `runc container ${id}`));
    for (const n of this.networks) {
      deleteLink(n.bridge);
      await rm(join('/var/lib/cni/networks', n.name), { recursive: true, force: true });
    }
    return problems;
  }
}
