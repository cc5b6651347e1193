// Facts from the host's network state: lease files, iptables rules naming containers, veths on
// nerdnet bridges. Read-only; deciding what is garbage is plan.ts's job.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ipJson } from '../host/ip-command.js';
import { dumpTables, type TableDump } from '../host/iptables.js';
import { ownerOfCniID } from './liveness.js';
import type { GcNetwork } from './networks.js';
import type { Owner } from './types.js';

export interface LeaseFact {
  owner: Owner;
  network: string;
  // The lease file: its name is the address.
  file: string;
  address: string;
}

// host-local's files: one per address (content `<container ID>\r\n<ifname>`), plus `lock` and
// `last_reserved_ip.<range>`; leases of IDs that are not nerdctl-shaped are not ours and are skipped.
export async function leaseFacts(networks: readonly GcNetwork[]): Promise<LeaseFact[]> {
  const out: LeaseFact[] = [];
  for (const n of networks) {
    for (const dir of n.leaseDirs) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (name === 'lock' || name.startsWith('last_reserved_ip')) continue;
        const text = await readFile(join(dir, name), 'utf8').catch(() => '');
        const owner = ownerOfCniID(text.split(/\r?\n/)[0]?.trim() ?? '');
        if (owner) out.push({ owner, network: n.name, file: join(dir, name), address: name });
      }
    }
  }
  return out;
}

export interface RuleFact {
  owner: Owner;
  // Networks named next to the ID (`name: "<net>" id: "<cid>"` in the plugins' comments).
  networks: string[];
  rules: number;
}

// Containers named in iptables comments (bridge ipMasq, portmap), one fact per container.
export async function ruleFacts(iptables = 'iptables'): Promise<{ facts: RuleFact[]; warnings: string[] }> {
  const byCid = new Map<string, RuleFact>();
  let tables: Map<string, TableDump>;
  try {
    tables = await dumpTables(iptables);
  } catch (e) {
    return { facts: [], warnings: [`cannot list iptables rules: ${(e as Error).message}`] };
  }
  for (const { rules: lines } of tables.values()) {
    for (const line of lines) {
      if (!line.startsWith('-A ')) continue;
      const id = /id: \\"([^"\\]+)\\"/.exec(line)?.[1];
      const owner = id === undefined ? undefined : ownerOfCniID(id);
      if (!owner) continue;
      const fact = byCid.get(owner.cid) ?? { owner, networks: [], rules: 0 };
      fact.rules++;
      const net = /name: \\"([^"\\]+)\\"/.exec(line)?.[1];
      if (net && !fact.networks.includes(net)) fact.networks.push(net);
      byCid.set(owner.cid, fact);
    }
  }
  return { facts: [...byCid.values()], warnings: [] };
}

export interface VethFact {
  name: string;
  bridge: string;
}

// Host veths enslaved to a nerdnet bridge whose peer is not in another namespace: a pair the bridge
// plugin made but never moved (a veth whose namespace died is deleted with it by the kernel).
export async function orphanVeths(networks: readonly GcNetwork[]): Promise<VethFact[]> {
  const bridges = new Set(networks.flatMap((n) => n.bridges));
  if (bridges.size === 0) return [];
  const links = (await ipJson(['link', 'show', 'type', 'veth'])) as Array<{ ifname: string; master?: string; link_netnsid?: number }>;
  return links.filter((l) => l.master !== undefined && bridges.has(l.master) && l.link_netnsid === undefined).map((l) => ({ name: l.ifname, bridge: l.master ?? '' }));
}
