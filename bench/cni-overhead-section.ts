// Section 1: library overhead of nerdnet's CniConfig over the bare plugins, and of Go's libcni
// (what nerdctl uses) over the same, in one interleaved run.
import { benchCniOverhead } from './cni-overhead.js';
import type { BenchSection } from './section.js';
import { fmt } from './stats.js';

export const cniOverheadSection: BenchSection = {
  name: 'cni-overhead',
  async run({ iterations }) {
    const r = await benchCniOverhead(iterations);
    const row = (label: string, s: { median: number; p10: number; p90: number }) => `${label.padEnd(22)}${fmt(s.median).padEnd(11)}${fmt(s.p10).padEnd(11)}${fmt(s.p90)}`;
    const table = [
      `CNI ADD+DEL, nerdctl chain (bridge+host-local, portmap, firewall, tuning), ${r.iterations} cycles each, interleaved`,
      `${''.padEnd(22)}${'median'.padEnd(11)}${'p10'.padEnd(11)}p90`,
      row('plugins spawned bare', r.direct),
      row('nerdnet CniConfig', r.nerdnet),
      ...(r.goLibcni ? [row('Go libcni CNIConfig', r.goLibcni)] : []),
      `nerdnet overhead      ${r.overheadPct.toFixed(1)} % of the plugins' own time (target < 5 %)`,
      r.goOverheadPct !== undefined ? `Go libcni overhead    ${r.goOverheadPct.toFixed(1)} % of the plugins' own time` : `Go libcni: skipped, ${r.goSkipped ?? 'unknown reason'}`,
    ];
    return { table, json: r };
  },
};
