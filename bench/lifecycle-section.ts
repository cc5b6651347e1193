// Section: container lifecycle, nerdnet against Podman/netavark (the network's share of `run --rm`).
import { containerBenchMissing } from './harness.js';
import { benchLifecycle, type Variant } from './lifecycle.js';
import type { BenchSection } from './section.js';
import { fmt } from './stats.js';

const LABELS: Record<Variant, string> = {
  'nerdnet-cni': 'nerdnet, CNI bridge',
  'nerdnet-none': 'nerdnet, --network none',
  'podman-cni': 'podman, netavark bridge',
  'podman-none': 'podman, --network none',
};

export const lifecycleSection: BenchSection = {
  name: 'lifecycle',
  missing: containerBenchMissing,
  async run({ iterations }) {
    const r = await benchLifecycle(iterations);
    const table = [
      `run --rm --rootfs <busybox> true, ${r.iterations} runs each, interleaved${r.podmanSkipped ? ` (podman skipped: ${r.podmanSkipped})` : ''}`,
      '                          median     p10        p90        peak RSS',
    ];
    for (const [v, s] of Object.entries(r.times) as Array<[Variant, NonNullable<(typeof r.times)[Variant]>]>) {
      const kb = r.peakRssKB[v];
      table.push(`${LABELS[v].padEnd(25)} ${fmt(s.median).padEnd(10)} ${fmt(s.p10).padEnd(10)} ${fmt(s.p90).padEnd(10)} ${kb === undefined ? '' : `${(kb / 1024).toFixed(0)} MiB`}`);
    }
    table.push(`network share (cni - none): nerdnet ${fmt(r.nerdnetShareMs)}${r.podmanShareMs === undefined ? '' : `, podman ${fmt(r.podmanShareMs)}, ratio ${r.shareRatio?.toFixed(2)} (target <= 1)`}`);
    table.push(r.leaks.length === 0 ? 'left on the host: nothing' : `LEFT ON THE HOST: ${r.leaks.join('; ')}`);
    return { table, json: r };
  },
};
