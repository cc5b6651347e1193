// Section: start-path latency, nerdnet against Podman/netavark (issue 15's six rows), peak RSS of
// `run -d`, and a trace of the processes one `run -d` starts.
import { containerBenchMissing } from './harness.js';
import { podmanMissing } from './lifecycle-podman.js';
import { benchRunLatency, TARGETS, type Key, type Row } from './run-latency.js';
import type { BenchSection } from './section.js';
import { fmt } from './stats.js';
import type { Trace } from './trace.js';

const ROWS: Array<[Row, string]> = [
  ['run-d', 'run -d --network <bridge> IMG sleep 60'],
  ['run-rm-none', 'run --rm --network none IMG true'],
  ['run-rm-bridge', 'run --rm --network <bridge> IMG true'],
  ['rm-f', 'rm -f <running container>'],
  ['version', '--version'],
];

const traceLine = (who: string, t?: Trace) =>
  t && `trace of one run -d, ${who} (under strace, ${fmt(t.totalMs)}): ${Object.entries(t.counts).map(([p, n]) => `${p} x${n}`).join(', ')}`;

export const runLatencySection: BenchSection = {
  name: 'run-latency',
  missing: () => containerBenchMissing() ?? podmanMissing(),
  async run({ iterations }) {
    const r = await benchRunLatency(iterations);
    const cell = (k: Key) => {
      const s = r.times[k];
      return s ? `${fmt(s.median)} (${s.p10.toFixed(0)}-${s.p90.toFixed(0)})` : '';
    };
    const ratio = (x: number | undefined, target: number | undefined) => `${x?.toFixed(2) ?? '?'}${target === undefined ? '' : ` (target <= ${target}${x !== undefined && x >= 0 && x <= target ? ', met' : ''})`}`;
    const table = [
      `nerdnet (busybox image) against podman (--rootfs of its layer, netavark), ${r.iterations} runs each, interleaved; median (p10-p90)`,
      `${'command'.padEnd(40)} ${'nerdnet'.padEnd(24)} ${'podman'.padEnd(24)} ratio`,
    ];
    for (const [row, label] of ROWS) table.push(`${label.padEnd(40)} ${cell(`${row}/nerdnet`).padEnd(24)} ${cell(`${row}/podman`).padEnd(24)} ${ratio(r.ratios[row], TARGETS[row])}`);
    table.push(`${'network share of run --rm (bridge - none)'.padEnd(40)} ${fmt(r.shareMs.nerdnet ?? NaN).padEnd(24)} ${fmt(r.shareMs.podman ?? NaN).padEnd(24)} ${ratio(r.ratios.share, TARGETS.share)}`);
    table.push(`${'bare node -e ""'.padEnd(40)} ${cell('version/node')}`);
    const mib = (k: Key) => `${((r.peakRssKB[k] ?? NaN) / 1024).toFixed(1)} MiB`;
    table.push(`peak RSS during run -d (largest process the CLI waited for): nerdnet ${mib('run-d/nerdnet')}, podman ${mib('run-d/podman')}`);
    for (const line of [traceLine('nerdnet', r.traces.nerdnet), traceLine('podman', r.traces.podman)]) if (line) table.push(line);
    table.push(r.leaks.length === 0 ? 'left on the host: nothing' : `LEFT ON THE HOST: ${r.leaks.join('; ')}`);
    return { table, json: r };
  },
};
