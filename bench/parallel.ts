// Parallel throughput: containers started per second (`run -d` on one network) with 1, 4 and 16
// CLIs at once; each level starts from an empty network and removes its containers afterwards.
import { NerdnetBench, pool } from './harness.js';
import { summarize, type Summary } from './stats.js';

export interface ParallelLevel {
  concurrency: number;
  containers: number;
  wallMs: number;
  perSecond: number;
  // Latency of one `run -d` at this concurrency.
  start: Summary;
}

export interface ParallelResult {
  levels: ParallelLevel[];
  leaks: string[];
}

export const LEVELS = [1, 4, 16];

export async function benchParallel(containers: number): Promise<ParallelResult> {
  const nn = await NerdnetBench.create('parallel');
  const all: string[] = [];
  const levels: ParallelLevel[] = [];
  const leaks: string[] = [];
  try {
    const net = await nn.network('p');
    // Warm-up: page cache, the plugins' shared chains.
    await nn.removeContainers([(await nn.runDetached(net.name)).id]);
    for (const concurrency of LEVELS) {
      const t0 = performance.now();
      const runs = await pool(Array.from({ length: containers }, (_, i) => i), concurrency, () => nn.runDetached(net.name));
      const wallMs = performance.now() - t0;
      all.push(...runs.map((r) => r.id));
      levels.push({ concurrency, containers, wallMs, perSecond: containers / (wallMs / 1000), start: summarize(runs.map((r) => r.ms)) });
      await nn.removeContainers(runs.map((r) => r.id), 4);
    }
  } finally {
    leaks.push(...(await nn.cleanup(all)));
  }
  return { levels, leaks };
}
