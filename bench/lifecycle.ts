// Container lifecycle: `run --rm <rootfs> true` on a CNI network against `--network none`, for nerdnet
// and for Podman/netavark on the same busybox root dir, interleaved (rotating order) in one run. The
// network's share of a start is cni - none for each tool; the ratio compares the two shares.
import { NerdnetBench } from './harness.js';
import { PodmanBench, podmanMissing } from './lifecycle-podman.js';
import { interleave, type Interleaved, type Runner } from './interleave.js';
import type { Summary } from './stats.js';

export type Variant = 'nerdnet-cni' | 'nerdnet-none' | 'podman-cni' | 'podman-none';

export interface LifecycleResult {
  iterations: number;
  // Why Podman was left out, when it was.
  podmanSkipped?: string;
  times: Partial<Record<Variant, Summary>>;
  // Peak RSS (KiB) of the largest process of one start (CLI, runc, hook, plugins), median.
  peakRssKB: Partial<Record<Variant, number>>;
  nerdnetShareMs: number;
  podmanShareMs?: number;
  // nerdnet's network share / Podman's (target <= 1).
  shareRatio?: number;
  leaks: string[];
}

export async function benchLifecycle(iterations: number): Promise<LifecycleResult> {
  const podmanSkipped = podmanMissing();
  const nn = await NerdnetBench.create('lifecycle');
  let pm: PodmanBench | undefined;
  const leaks: string[] = [];
  let measured: Interleaved<Variant> = { times: {}, peakRssKB: {} };
  try {
    const net = await nn.network('life');
    if (!podmanSkipped) pm = await PodmanBench.create();
    const runners: Array<Runner<Variant>> = [
      ['nerdnet-cni', () => nn.ok(['run', '--rm', '--network', net.name, '--rootfs', nn.rootfs, 'true'], { rss: true })],
      ['nerdnet-none', () => nn.ok(['run', '--rm', '--network', 'none', '--rootfs', nn.rootfs, 'true'], { rss: true })],
    ];
    if (pm) {
      const p = pm;
      runners.push(['podman-cni', () => p.run('cni', nn.rootfs, ['true'], { rss: true })]);
      runners.push(['podman-none', () => p.run('none', nn.rootfs, ['true'], { rss: true })]);
    }
    // Its warm-up round fills the page cache, the plugins' shared iptables chains, podman's first-run setup.
    measured = await interleave([runners], iterations);
  } finally {
    if (pm) leaks.push(...(await pm.cleanup()));
    leaks.push(...(await nn.cleanup([])));
  }
  const { times, peakRssKB } = measured;
  const share = (cni?: Summary, none?: Summary) => (cni && none ? cni.median - none.median : NaN);
  const nerdnetShareMs = share(times['nerdnet-cni'], times['nerdnet-none']);
  const result: LifecycleResult = { iterations, times, peakRssKB, nerdnetShareMs, leaks };
  if (podmanSkipped) result.podmanSkipped = podmanSkipped;
  else {
    result.podmanShareMs = share(times['podman-cni'], times['podman-none']);
    result.shareRatio = nerdnetShareMs / result.podmanShareMs;
  }
  return result;
}
