// The hosts store alone at scale (no containers, no plugins: the part of a start nerdnet controls
// that grows with peers): time of the acquire that adds container N to a network holding N-1 peers,
// while `others` records sit on another network, and of the release that takes it out again.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostsStore } from '../src/lib/etc/hosts-store.js';
import { DataStoreLayout } from '../src/lib/store/layout.js';
import { cniResult } from '../test/fixtures/etc/make-meta.js';
import { summarize, type Summary } from './stats.js';

export interface HostsScalePoint {
  peers: number;
  others: number;
  acquire: Summary;
  release: Summary;
  // CPU time (user + system) of the acquire, less sensitive to a busy machine than wall time.
  acquireCpu: Summary;
}

const id = () => randomBytes(32).toString('hex');
const address = (net: number, i: number) => `10.${net}.${Math.floor(i / 250)}.${(i % 250) + 2}/16`;

// For each point, fill a fresh store to `peers` on network n1 and `others` on n2, then time
// `rounds` acquire+release pairs of one more container on n1.
export async function benchHostsStore(points: Array<{ peers: number; others: number }>, rounds = 15): Promise<HostsScalePoint[]> {
  const dir = await mkdtemp(join(tmpdir(), 'nerdnet-bench-hosts-'));
  const out: HostsScalePoint[] = [];
  try {
    for (const [k, p] of points.entries()) {
      const store = new HostsStore({ layout: new DataStoreLayout(join(dir, `ds${k}`)) });
      const add = (net: string, n: number, i: number) => {
        const cid = id();
        return store.acquire({ ns: 'default', id: cid, meta: { name: `c${net}-${i}`, hostname: cid.slice(0, 12), networks: { [net]: cniResult([address(n, i)]) } } });
      };
      for (let i = 0; i < p.peers; i++) await add('n1', 1, i);
      for (let i = 0; i < p.others; i++) await add('n2', 2, i);
      const acquire: number[] = [];
      const release: number[] = [];
      const acquireCpu: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const cid = id();
        let t0 = performance.now();
        const cpu0 = process.cpuUsage();
        await store.acquire({ ns: 'default', id: cid, meta: { name: `probe-${r}`, hostname: cid.slice(0, 12), networks: { n1: cniResult([address(1, 1000 + r)]) } } });
        acquire.push(performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        acquireCpu.push((cpu.user + cpu.system) / 1000);
        t0 = performance.now();
        await store.release('default', cid);
        await store.delete('default', cid);
        release.push(performance.now() - t0);
      }
      out.push({ ...p, acquire: summarize(acquire), release: summarize(release), acquireCpu: summarize(acquireCpu) });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}
