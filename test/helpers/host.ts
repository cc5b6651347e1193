// Host helpers for root-only integration tests: unique names, own netns/links, iptables audit.
// Everything here touches only what a test made (design.md §5).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const DEBIAN_PLUGINS = '/usr/lib/cni';

// Why a root-only test cannot run here, or undefined when it can.
export function rootSkipReason(needs: string[] = ['bridge', 'host-local']): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, bridges, iptables)';
  for (const p of needs) if (!existsSync(join(DEBIAN_PLUGINS, p))) return `needs Debian's CNI plugin ${p} (apt-get install containernetworking-plugins)`;
  if (spawnSync('iptables', ['-t', 'nat', '-S'], { stdio: 'ignore' }).status !== 0) return 'needs a working iptables';
  return undefined;
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function shOk(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

// A short unique tag: link names must fit in 15 bytes.
export function uniqueTag(): string {
  return randomBytes(3).toString('hex');
}

// A /24 inside 10.200.0.0/16 picked at random, avoiding ones in use on the host.
// Handed out by this process already: a network's bridge has no address until a container starts on
// it, so two networks made one after the other could otherwise draw the same subnet.
const handedOut = new Set<number>();

export function testSubnet(): { subnet: string; gateway: string; prefix: string } {
  for (let i = 0; i < 50; i++) {
    const third = 1 + Math.floor(Math.random() * 250);
    const prefix = `10.200.${third}`;
    if (handedOut.has(third) || sh('ip', ['-4', 'addr']).includes(`${prefix}.`)) continue;
    handedOut.add(third);
    return { subnet: `${prefix}.0/24`, gateway: `${prefix}.1`, prefix };
  }
  throw new Error('no free test subnet in 10.200.0.0/16');
}

export async function tempDir(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `nerdnet-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export class TestNetns {
  readonly path: string;
  constructor(readonly name: string) {
    this.path = `/run/netns/${name}`;
  }
  static create(name: string): TestNetns {
    sh('ip', ['netns', 'add', name]);
    return new TestNetns(name);
  }
  exec(args: string[]): string {
    return sh('ip', ['netns', 'exec', this.name, ...args]);
  }
  // Global-scope addresses on `ifname` inside the netns, as `addr/len` (no link-local, no loopback).
  addresses(ifname: string): string[] {
    try {
      const out = JSON.parse(this.exec(['ip', '-json', 'addr', 'show', 'dev', ifname, 'scope', 'global'])) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
      return out.flatMap((l) => l.addr_info.filter((a) => a.local !== undefined).map((a) => `${a.local}/${a.prefixlen}`));
    } catch {
      return [];
    }
  }
  // One ICMP echo from inside the netns (busybox: Debian's node image has no ping).
  ping(target: string): void {
    this.exec(['busybox', 'ping', '-c', '1', '-W', '2', target]);
  }
  hasLink(ifname: string): boolean {
    return shOk('ip', ['netns', 'exec', this.name, 'ip', 'link', 'show', 'dev', ifname]);
  }
  remove(): void {
    shOk('ip', ['netns', 'delete', this.name]);
  }
}

export function linkExists(name: string): boolean {
  return shOk('ip', ['link', 'show', 'dev', name]);
}

// A veth pair on the host whose first end serves as a parent link (this kernel may lack `dummy`).
export function createParentLink(name: string): void {
  sh('ip', ['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
  sh('ip', ['link', 'set', name, 'up']);
}

// Delete a link the test made, and the firewall plugin's isolation rules that name it (they
// outlive DEL; `network rm` removes them the same way).
export function deleteLink(name: string): void {
  if (linkExists(name)) shOk('ip', ['link', 'delete', name]);
  const names = new RegExp(`(^| )-[io] ${name}( |$)`);
  for (const line of sh('iptables', ['-t', 'filter', '-S']).split('\n')) {
    if (line.startsWith('-A CNI-') && names.test(line)) shOk('sh', ['-c', `iptables -t filter ${line.replace(/^-A /, '-D ')}`]);
  }
}

// Host veths whose peer sits in netns `nsName` (the bridge plugin's host side).
export function hostVethsOf(ns: TestNetns): string[] {
  const ids = JSON.parse(sh('ip', ['-json', 'netns', 'list-id'])) as Array<{ nsid: number; name?: string }>;
  const nsid = ids.find((i) => i.name === ns.name)?.nsid;
  if (nsid === undefined) return [];
  const links = JSON.parse(sh('ip', ['-json', 'link', 'show', 'type', 'veth'])) as Array<{ ifname: string; link_netnsid?: number }>;
  return links.filter((l) => l.link_netnsid === nsid).map((l) => l.ifname);
}

const TABLES = ['nat', 'filter', 'mangle'] as const;

export type ChainSnapshot = Record<string, Set<string>>;

// The CNI-* chains (or those starting with `prefix`, e.g. netavark's NETAVARK) present now, per table.
export function cniChains(prefix = 'CNI-'): ChainSnapshot {
  const out: ChainSnapshot = {};
  for (const t of TABLES) {
    const lines = sh('iptables', ['-t', t, '-S']).split('\n');
    out[t] = new Set(lines.filter((l) => l.startsWith(`-N ${prefix}`)).map((l) => l.slice(3).trim()));
  }
  return out;
}

// Every iptables rule (all tables) that mentions `needle`, e.g. a container ID.
export function rulesMentioning(needle: string): string[] {
  return TABLES.flatMap((t) => sh('iptables', ['-t', t, '-S']).split('\n').filter((l) => l.includes(needle)).map((l) => `${t}: ${l}`));
}

// Remove CNI-* chains that appeared since `before` (the plugins' shared chains the test caused):
// first the jumps into them, then the chains. Chains that existed before are left alone.
export function removeNewChains(before: ChainSnapshot, prefix = 'CNI-'): void {
  for (const t of TABLES) {
    const now = cniChains(prefix)[t] ?? new Set<string>();
    removeChains(t, [...now].filter((c) => !before[t]?.has(c)));
  }
}

// Flush and delete these chains of `table`, first the jumps into them; chains not there are skipped.
export function removeChains(table: string, chains: readonly string[]): void {
  if (chains.length === 0) return;
  for (const line of sh('iptables', ['-t', table, '-S']).split('\n')) {
    const m = /^-A (\S+) .*-j (\S+)/.exec(line);
    if (m && chains.includes(m[2] ?? '')) shOk('sh', ['-c', `iptables -t ${table} ${line.replace(/^-A /, '-D ')}`]);
  }
  for (const c of chains) shOk('iptables', ['-t', table, '-F', c]);
  for (const c of chains) shOk('iptables', ['-t', table, '-X', c]);
}

// What a test's networks leave once `network rm` has run (or failed): their bridges (and the
// firewall rules naming them), their host-local lease dirs, and every CNI-* chain since `chains`.
export function removeNetworkLeftovers(networks: ReadonlyArray<{ name: string; bridge: string }>, chains: ChainSnapshot): void {
  for (const n of networks) {
    deleteLink(n.bridge);
    rmSync(join('/var/lib/cni/networks', n.name), { recursive: true, force: true });
  }
  removeNewChains(chains);
}

// PIDs of the processes whose command line (argv) `match` accepts.
export function pidsWhere(match: (argv: string[]) => boolean): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (match(argv)) pids.push(Number(pid));
  }
  return pids;
}
