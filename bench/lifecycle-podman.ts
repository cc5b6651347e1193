// Podman as the comparison: Debian's podman with the netavark backend, all its state in a temp dir
// (--root, --runroot, --tmpdir, --network-config-dir), one dedicated bridge network in
// 10.200.0.0/16 without DNS (like podman's default network), and a cleanup that removes the network,
// podman's state, the bridge and the NETAVARK chains that appeared during the bench.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, timed, type Timed } from './harness.js';
import { cniChains, deleteLink, removeNewChains, rulesMentioning, testSubnet, uniqueTag, type ChainSnapshot } from '../test/helpers/host.js';

const PODMAN = '/usr/bin/podman';
const NETAVARK = '/usr/lib/podman/netavark';
// runc cannot raise these limits inside this machine's container; podman asks for more than the host allows.
const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

// Why Podman cannot be compared here, or undefined. (The backend in use is checked by create(), on
// the bench's own storage: `podman info` without --root would create the host's default storage.)
export function podmanMissing(): string | undefined {
  if (!existsSync(PODMAN)) return 'needs podman (bash scripts/setup --bench)';
  if (!existsSync(NETAVARK)) return `needs netavark at ${NETAVARK} (bash scripts/setup --bench)`;
  return undefined;
}

export class PodmanBench {
  private constructor(
    readonly dir: string,
    readonly network: string,
    readonly subnet: string,
    readonly bridge: string,
    private readonly chains: ChainSnapshot,
  ) {}

  private static global(dir: string): string[] {
    return ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--tmpdir', join(dir, 'tmp'), '--network-config-dir', join(dir, 'net'), '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  }

  static async create(): Promise<PodmanBench> {
    const chains = cniChains('NETAVARK');
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-bench-podman-'));
    const network = `nnb-pm-${uniqueTag()}`;
    const { subnet } = testSubnet();
    try {
      const backend = execFileSync(PODMAN, [...PodmanBench.global(dir), 'info', '--format', '{{.Host.NetworkBackend}}'], { encoding: 'utf8' }).trim();
      if (backend !== 'netavark') throw new Error(`podman uses the ${backend || 'unknown'} network backend, not netavark`);
      execFileSync(PODMAN, [...PodmanBench.global(dir), 'network', 'create', '--disable-dns', '--subnet', subnet, network], { stdio: 'ignore' });
      const info = JSON.parse(execFileSync(PODMAN, [...PodmanBench.global(dir), 'network', 'inspect', network], { encoding: 'utf8' })) as Array<{ network_interface?: string }>;
      return new PodmanBench(dir, network, subnet, info[0]?.network_interface ?? '', chains);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      removeNewChains(chains, 'NETAVARK');
      throw err;
    }
  }

  // The command line of `podman ARGS` on this bench's storage.
  command(args: string[]): string[] {
    return [PODMAN, ...PodmanBench.global(this.dir), ...args];
  }

  cli(args: string[], opts: { rss?: boolean } = {}): Promise<Timed> {
    return timed(this.command(args), process.env, opts);
  }

  // `podman run --rm [ulimits] --network NET --rootfs DIR CMD...` (NET: this bench's network or none).
  async run(network: 'cni' | 'none', rootfs: string, cmd: string[], opts: { rss?: boolean } = {}): Promise<Timed> {
    const net = network === 'cni' ? this.network : 'none';
    return check(`podman run --network ${net}`, await this.cli(['run', '--rm', ...ULIMITS, '--network', net, '--rootfs', rootfs, ...cmd], opts));
  }

  // `podman run -d [--name NAME] [ulimits] --network <this bench's network> --rootfs DIR CMD...`.
  runDetachedArgs(rootfs: string, cmd: string[], name?: string): string[] {
    return ['run', '-d', ...(name === undefined ? [] : ['--name', name]), ...ULIMITS, '--network', this.network, '--rootfs', rootfs, ...cmd];
  }

  // That `run -d`, timed; returns the ID.
  async runDetached(rootfs: string, cmd: string[], opts: { rss?: boolean } = {}): Promise<Timed & { id: string }> {
    const r = check('podman run -d', await this.cli(this.runDetachedArgs(rootfs, cmd), opts));
    return { ...r, id: r.stdout.trim() };
  }

  // `podman rm -f -t 0 ID`: SIGKILL at once, as nerdctl's and Docker's `rm -f` (Podman's own default
  // first sends SIGTERM and waits 10 s, which a shell or sleep as PID 1 ignores).
  async removeForce(id: string): Promise<Timed> {
    return check('podman rm -f', await this.cli(['rm', '--force', '--time', '0', id]));
  }

  // Remove containers, the network and podman's state; returns what was left of it on the host.
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    await this.cli(['rm', '--all', '--force', '--time', '0']);
    const r = await this.cli(['network', 'rm', '--force', this.network]);
    if (r.status !== 0) problems.push(`podman network rm: ${r.stderr.trim()}`);
    await this.cli(['system', 'reset', '--force']);
    for (const m of readMountsUnder(this.dir).reverse()) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    await rm(this.dir, { recursive: true, force: true });
    problems.push(...rulesMentioning(this.subnet).map((l) => `left by netavark: ${l}`));
    if (this.bridge) deleteLink(this.bridge);
    removeNewChains(this.chains, 'NETAVARK');
    return problems;
  }
}

function readMountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(dir));
}
