// Section 1: library overhead of nerdnet's CniConfig over the bare plugins.
import { benchCniOverhead } from './cni-overhead.js';
import type { BenchSection } from './section.js';
import { fmt } from './stats.js';

export const cniOverheadSection: BenchSection = {
  name: 'cni-overhead',
  async run({ iterations }) {
    const r = await benchCniOverhead(iterations);
    return {
      table: [
        `CNI ADD+DEL, nerdctl chain (bridge+host-local, portmap, firewall, tuning), ${r.iterations} cycles each, interleaved`,
        '                      median     p10        p90',
        `plugins spawned bare  ${fmt(r.direct.median).padEnd(10)} ${fmt(r.direct.p10).padEnd(10)} ${fmt(r.direct.p90)}`,
        `nerdnet CniConfig     ${fmt(r.nerdnet.median).padEnd(10)} ${fmt(r.nerdnet.p10).padEnd(10)} ${fmt(r.nerdnet.p90)}`,
        `library overhead      ${r.overheadPct.toFixed(1)} % of the plugins' own time (target < 5 %)`,
      ],
      json: r,
    };
  },
};
