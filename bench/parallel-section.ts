// Section: containers started per second with 1, 4 and 16 at once (BENCH_PARALLEL_N containers per
// level, default 32).
import { containerBenchMissing, containerCountFromEnv } from './harness.js';
import { benchParallel } from './parallel.js';
import type { BenchSection } from './section.js';
import { fmt } from './stats.js';

export const parallelSection: BenchSection = {
  name: 'parallel',
  missing: containerBenchMissing,
  async run() {
    const n = containerCountFromEnv('BENCH_PARALLEL_N', 32, 1);
    const r = await benchParallel(n);
    const base = r.levels[0]?.perSecond ?? NaN;
    const table = [
      `run -d --rootfs <busybox> sleep 3600 on one network, ${n} containers per level`,
      '  at once   containers/s   vs 1     start median   p90',
      ...r.levels.map((l) => `  ${String(l.concurrency).padEnd(9)} ${l.perSecond.toFixed(2).padEnd(14)} ${`${(l.perSecond / base).toFixed(2)}x`.padEnd(8)} ${fmt(l.start.median).padEnd(14)} ${fmt(l.start.p90)}`),
      r.leaks.length === 0 ? 'left on the host: nothing' : `LEFT ON THE HOST: ${r.leaks.join('; ')}`,
    ];
    return { table, json: r };
  },
};
