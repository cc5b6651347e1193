// A rig for crash and garbage-collection tests: the container harness on the tests' own networks,
// ways to kill a container's processes by the PIDs nerdnet recorded (never by name), and a snapshot
// of everything on the host that belongs to the test (leases, veths, chains, cache, store, run dir).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerTestEnv, findRunc, type CliResult } from '../container-harness.js';
import { busyboxImageArchive } from './busybox-image.js';
import { cniChains, rulesMentioning, sh, testSubnet, uniqueTag, removeNetworkLeftovers, type ChainSnapshot } from './host.js';
import { leaksOf } from './leaks.js';
import { masqChainName } from '../../src/lib/host/iptables.js';
import { dnatChainName } from '../../src/lib/host/iptables.js';

export interface RigNetwork {
  name: string;
  bridge: string;
  prefix: string;
}

function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [`${prefix}${e.name}/`, ...filesUnder(join(dir, e.name), `${prefix}${e.name}/`)] : [`${prefix}${e.name}`]));
}

export class CrashRig {
  readonly tag = uniqueTag();
  readonly networks: RigNetwork[] = [];
  readonly ids: string[] = [];
  // The CNI-* chains before the rig made anything: cleanup removes every chain added since, the
  // plugins' shared ones (CNI-HOSTPORT-*) included, as the other end-to-end tests do.
  private readonly chainsBefore: ChainSnapshot = cniChains();

  private constructor(readonly env: ContainerTestEnv) {}

  static async create(label: string): Promise<CrashRig> {
    const rig = new CrashRig(await ContainerTestEnv.create(label));
    rig.ok(['image', 'load', '-i', await busyboxImageArchive()]);
    return rig;
  }

  get conf(): string {
    return join(this.env.dir, 'net.d');
  }
  get cacheDir(): string {
    return join(this.env.dir, 'cni');
  }
  get runDir(): string {
    return join(this.env.dir, 'run');
  }

  nn(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
    return this.env.cli(['--cni-netconfpath', this.conf, '--cni-path', '/usr/lib/cni', ...args], { env: { NERDNET_CNI_CACHE_DIR: this.cacheDir, NERDNET_RUN_DIR: this.runDir, ...env } });
  }

  ok(args: string[], env: NodeJS.ProcessEnv = {}): string {
    const r = this.nn(args, env);
    if (r.status !== 0) throw new Error(`nerdnet ${args.join(' ')} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  network(label: string): RigNetwork {
    const { subnet, prefix } = testSubnet();
    const name = `nng-${this.tag}-${label}`;
    const id = this.ok(['network', 'create', name, '--subnet', subnet]).trim();
    const n = { name, bridge: `br-${id.slice(0, 12)}`, prefix };
    this.networks.push(n);
    return n;
  }

  // `run -d`; the ID is remembered for the leak audit even when the run fails half-way.
  runD(args: string[], env: NodeJS.ProcessEnv = {}): CliResult & { id?: string } {
    const r = this.nn(['run', '-d', ...args], env);
    const id = /^[0-9a-f]{64}$/m.exec(r.stdout)?.[0];
    if (id) this.ids.push(id);
    return id ? { ...r, id } : r;
  }

  idOf(name: string): string {
    const id = this.env.entries('names/default').includes(name) ? readFileSync(join(this.env.store(), 'names/default', name), 'utf8').trim() : '';
    if (id && !this.ids.includes(id)) this.ids.push(id);
    return id;
  }

  record(id: string): { state: { shimPid?: number } } {
    return JSON.parse(readFileSync(join(this.env.store(), 'containers/default', id, 'nerdnet.json'), 'utf8')) as { state: { shimPid?: number } };
  }

  // The container's init PID as runc knows it, or undefined.
  initPid(id: string): number | undefined {
    const r = spawnSync(findRunc() ?? 'runc', ['--root', this.env.runcRoot, 'state', id], { encoding: 'utf8' });
    if (r.status !== 0) return undefined;
    const pid = (JSON.parse(r.stdout) as { pid: number }).pid;
    return pid > 0 ? pid : undefined;
  }

  // SIGKILL the monitor, then runc (its child), then the container's init: nobody is left to record
  // the exit or to run `runc delete` and the poststop hook. Only PIDs this test's container owns.
  killContainer(id: string): number[] {
    const shim = this.record(id).state.shimPid;
    const init = this.initPid(id);
    const children = shim ? childrenOf(shim) : [];
    const pids = [shim, ...children, init].filter((p): p is number => typeof p === 'number' && p > 0);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    return pids;
  }

  // Everything of this test on the host, as sorted lines (compare a snapshot before and after).
  // `volatile`: containers whose chains and rules are left out, because another test's cleanup on
  // this shared host may remove every CNI-* chain newer than its own start (removeNewChains).
  snapshot(volatile: readonly string[] = []): string[] {
    const out: string[] = [];
    for (const n of this.networks) {
      const dir = join('/var/lib/cni/networks', n.name);
      for (const f of existsSync(dir) ? readdirSync(dir) : []) if (f !== 'lock' && !f.startsWith('last_reserved_ip')) out.push(`lease ${n.name}/${f}`);
    }
    const bridges = this.networks.map((n) => n.bridge);
    const links = JSON.parse(sh('ip', ['-json', 'link', 'show', 'type', 'veth'])) as Array<{ ifname: string; master?: string }>;
    out.push(...links.filter((l) => l.master && bridges.includes(l.master)).map((l) => `veth ${l.master}:${l.ifname}`));
    // Only the per-container chains of this test's containers: other tests on the host add and remove theirs.
    const ids = this.ids.filter((id) => !volatile.includes(id));
    const mine = new Set(this.ownChains(ids));
    for (const [t, set] of Object.entries(cniChains())) for (const c of set) if (mine.has(c)) out.push(`chain ${t} ${c}`);
    for (const id of ids) out.push(...rulesMentioning(`default-${id}`).map((r) => `rule ${r}`));
    out.push(...filesUnder(join(this.cacheDir, 'results')).map((f) => `cache ${f}`));
    for (const sub of ['containers/default', 'etchosts/default', 'names/default']) out.push(...this.env.entries(sub).map((e) => `store ${sub}/${e}`));
    // nerdnet's create journals and interrupted removals, temp files included.
    for (const sub of ['nerdnet/creating', 'nerdnet/removing']) out.push(...filesUnder(join(this.env.store(), sub)).filter((f) => !f.endsWith('/')).map((f) => `store ${sub}/${f}`));
    out.push(...this.env.mountsUnder().map((m) => `mount ${m}`));
    out.push(...filesUnder(this.runDir).map((f) => `run ${f}`));
    return out.sort();
  }

  // The leak audit for `ids`; veths on the test's bridges count only in the final audit (a running
  // peer has one too).
  leaks(ids = this.ids, final = false): string[] {
    return leaksOf(
      { cniIDs: ids.map((i) => `default-${i}`), ids, networks: this.networks.map((n) => n.name), cacheDir: this.cacheDir, store: this.env.store() },
      final ? this.networks.map((n) => n.bridge) : [],
    );
  }

  // Remove everything the test made, whatever state it is in; returns leaks found before the cleanup.
  async cleanup(): Promise<string[]> {
    for (const id of this.ids) this.nn(['rm', '-f', id]);
    this.nn(['network', 'gc']);
    const leaks = this.leaks(this.ids, true);
    for (const n of this.networks) this.nn(['network', 'rm', n.name]);
    await this.env.cleanup();
    removeNetworkLeftovers(this.networks, this.chainsBefore);
    return leaks;
  }

  // The per-container nat chains (masquerade, portmap DNAT) of these containers on the rig's networks.
  private ownChains(ids: readonly string[]): string[] {
    return ids.flatMap((id) => this.networks.flatMap((n) => [masqChainName(n.name, `default-${id}`), dnatChainName(n.name, `default-${id}`)]));
  }
}

// Direct children of `pid` (from /proc/<child>/stat's ppid field).
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
