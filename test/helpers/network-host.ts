// Host helpers for network integration tests: free 10.200.X.0/24 blocks, attach copies of a
// conflist with a private host-local dataDir, process checks. Only touches what tests made.
import { readFile } from 'node:fs/promises';
import { confListFromBytes, type NetworkConfigList } from '../../src/lib/cni/conf.js';
import { sh } from './host.js';

// `count` consecutive /24s inside 10.200.0.0/16 that no host address or route mentions.
export function freeTestBlock(count: number): string[] {
  const seen = sh('ip', ['-4', 'addr']) + sh('ip', ['-4', 'route', 'show', 'table', 'all']);
  for (let i = 0; i < 100; i++) {
    const start = 2 + Math.floor(Math.random() * (250 - count));
    const prefixes = Array.from({ length: count }, (_, k) => `10.200.${start + k}`);
    if (prefixes.every((p) => !seen.includes(`${p}.`))) return prefixes;
  }
  throw new Error('no free test block in 10.200.0.0/16');
}

// The conflist as written, but with host-local leases under `dataDir` (production bytes untouched).
export async function attachableList(file: string, dataDir: string): Promise<NetworkConfigList> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as { plugins: Array<{ ipam?: Record<string, unknown> }> };
  for (const p of raw.plugins) if (p.ipam?.type === 'host-local') p.ipam.dataDir = dataDir;
  return confListFromBytes(Buffer.from(JSON.stringify(raw)), file);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function addressesIn(addrs: string[], prefix: string): string[] {
  return addrs.filter((a) => a.startsWith(`${prefix}.`));
}

// A non-bridge link named `name`: a dummy, or a veth pair (peer `peer`) where the kernel has no
// dummy driver (this CI kernel is built without it). Returns the links to delete afterwards.
export function addPlainLink(name: string, peer: string): { kind: 'dummy' | 'veth'; links: string[] } {
  try {
    sh('ip', ['link', 'add', name, 'type', 'dummy']);
    return { kind: 'dummy', links: [name] };
  } catch {
    sh('ip', ['link', 'add', name, 'type', 'veth', 'peer', 'name', peer]);
    return { kind: 'veth', links: [name, peer] };
  }
}
