// Section: start latency of container 1..N on one network (BENCH_SCALE_N, default 200), memory, and
// the control on a second network.
import { containerBenchMissing, containerCountFromEnv } from './harness.js';
import type { HookPhases } from './hook-phases.js';
import { benchScale } from './scale.js';
import { benchHostsStore } from './scale-hosts.js';
import type { BenchSection } from './section.js';
import { fmt } from './stats.js';

const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;

export const scaleSection: BenchSection = {
  name: 'scale',
  missing: containerBenchMissing,
  async run() {
    const n = containerCountFromEnv('BENCH_SCALE_N', 200, 20);
    const r = await benchScale(n);
    const hosts = await benchHostsStore([{ peers: 0, others: 0 }, { peers: n, others: 0 }, { peers: 0, others: n }]);
    const phaseRows: Array<[string, HookPhases | undefined]> = [
      ['containers 1-10', r.phases.first10],
      [`containers ${r.n - 9}-${r.n}`, r.phases.last10],
      ['control, empty', r.phases.controlBefore],
      [`control, ${r.n} running`, r.phases.controlAfter],
    ];
    const table = [
      `run -d --rootfs <busybox> sleep 3600, containers 1..${r.n} on one network`,
      '  containers   median start',
      ...r.buckets.map((b) => `  ${b.range.padEnd(12)} ${fmt(b.median)}`),
      `containers 1-10: median ${fmt(r.first10.median)} (p10 ${fmt(r.first10.p10)}, p90 ${fmt(r.first10.p90)})`,
      `containers ${r.n - 9}-${r.n}: median ${fmt(r.last10.median)} (p10 ${fmt(r.last10.p10)}, p90 ${fmt(r.last10.p90)})`,
      `growth ${r.growth.toFixed(2)}x (target <= 1.20)`,
      `control, ${r.control.count} starts on another network: ${fmt(r.control.before.median)} with it empty, ${fmt(r.control.after.median)} with ${r.n} containers on the first: ${r.control.growth.toFixed(2)}x`,
      'hook phases, medians (from the hooks\' logs): process ready / hook work (lock wait + ADD + hosts store after the ADD + the rest)',
      ...phaseRows.map(
        ([label, p]) => `  ${label.padEnd(22)} ${p ? `${fmt(p.ready)} / ${fmt(p.work)} (${fmt(p.lockWait)} + ${fmt(p.add)} + ${fmt(p.hostsAfterAdd)} + ${fmt(p.work - p.lockWait - p.add - p.hostsAfterAdd)})` : 'not logged'}`,
      ),
      `peak RSS of one start (largest of CLI, runc, hook, plugins): ${mib(r.peakRssKB.empty)} at 0, ${mib(r.peakRssKB.full)} at ${r.n}`,
      `resident memory of the ${r.n} running containers (monitor, runc, sleep): ${mib(r.residentKB.total)}, ${mib(r.residentKB.perContainer)} each`,
      `rm -f of all (4 CLIs at once): ${(r.removeAllMs / 1000).toFixed(1)} s`,
      r.leaks.length === 0 ? 'left on the host: nothing' : `LEFT ON THE HOST: ${r.leaks.join('; ')}`,
      'hosts store alone (library, no containers): acquire of one more container on network n1',
      '  peers on n1  others on n2  wall median  CPU median  release+delete',
      ...hosts.map((h) => `  ${String(h.peers).padEnd(12)} ${String(h.others).padEnd(13)} ${fmt(h.acquire.median).padEnd(12)} ${fmt(h.acquireCpu.median).padEnd(11)} ${fmt(h.release.median)}`),
    ];
    return { table, json: { ...r, hostsStore: hosts } };
  },
};
