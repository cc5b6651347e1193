// The leak audit every end-to-end test runs: after a container is gone, nothing of it may be left
// on the host (leases, veths, iptables rules and chains, result cache, hosts store, names, state,
// create journals and state dirs an rm renamed away).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesMentioning, sh } from './host.js';

export interface LeakScope {
  // CNI container IDs (`<ns>-<id>`) of the containers that must be gone.
  cniIDs: string[];
  // Container IDs (64 hex).
  ids: string[];
  networks: string[];
  cacheDir: string;
  // `<dataRoot>/<hash>`.
  store: string;
  namespace?: string;
  leaseDir?: string;
}

// host-local lease files of a network that name one of the containers.
function leasesOf(scope: LeakScope, network: string): string[] {
  const dir = join(scope.leaseDir ?? '/var/lib/cni/networks', network);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip'))
    .filter((f) => scope.cniIDs.some((id) => readFileSync(join(dir, f), 'utf8').startsWith(id)))
    .map((f) => `${network}/${f}`);
}

// Host veths whose peer namespace is gone show no link-netnsid; CNI's host veths carry the
// container's peer MAC in their alias-less name, so look for veths on the networks' bridges.
function vethsOn(bridges: string[]): string[] {
  if (bridges.length === 0) return [];
  const links = JSON.parse(sh('ip', ['-json', 'link', 'show', 'type', 'veth'])) as Array<{ ifname: string; master?: string }>;
  return links.filter((l) => l.master !== undefined && bridges.includes(l.master)).map((l) => `${l.master}:${l.ifname}`);
}

// Everything of `scope` still on the host; [] means no leak.
export function leaksOf(scope: LeakScope, bridges: string[] = []): string[] {
  const ns = scope.namespace ?? 'default';
  const out: string[] = [];
  for (const n of scope.networks) out.push(...leasesOf(scope, n).map((l) => `lease ${l}`));
  out.push(...vethsOn(bridges).map((v) => `veth ${v}`));
  for (const id of scope.cniIDs) out.push(...rulesMentioning(id).map((r) => `iptables ${r}`));
  const results = join(scope.cacheDir, 'results');
  if (existsSync(results)) out.push(...readdirSync(results).filter((f) => scope.cniIDs.some((id) => f.includes(id))).map((f) => `cache ${f}`));
  for (const id of scope.ids) {
    for (const sub of [`etchosts/${ns}/${id}`, `containers/${ns}/${id}`, `nerdnet/creating/${ns}/${id}.json`, `nerdnet/removing/${ns}/${id}`]) if (existsSync(join(scope.store, sub))) out.push(`state ${sub}`);
  }
  const names = join(scope.store, 'names', ns);
  if (existsSync(names)) {
    for (const f of readdirSync(names)) if (scope.ids.includes(readFileSync(join(names, f), 'utf8'))) out.push(`name ${f}`);
  }
  return out;
}
