// Hook start cost: the real createRuntime/postStop processes against a bare `node -e ''`.
import { benchHookCost, bundleMissing } from './hook-cost.js';
import type { BenchSection } from './section.js';
import { fmt } from './stats.js';

export const hookCostSection: BenchSection = {
  name: 'hook-cost',
  missing: bundleMissing,
  async run({ iterations }) {
    const r = await benchHookCost(iterations);
    const col = (s: string, w: number) => s.padEnd(w);
    const table = [
      `OCI hook processes of dist/nerdnet-hook.cjs on a bridge network (4-plugin chain), ${r.iterations} runs each, interleaved`,
      `${col('', 44)}${col('median', 11)}${col('p10', 11)}${col('p90', 11)}${col('work', 11)}start+exit above bare node`,
    ];
    for (const row of r.rows) {
      const over = r.overheadMs[row.label];
      table.push(
        `${col(row.label, 44)}${col(fmt(row.wall.median), 11)}${col(fmt(row.wall.p10), 11)}${col(fmt(row.wall.p90), 11)}${col(row.work ? fmt(row.work.median) : '', 11)}${over === undefined ? '' : `+${fmt(over)}`}`,
      );
    }
    table.push(`hook environment from a caller with NODE_EXTRA_CA_CERTS/NODE_OPTIONS: ${r.hookEnvHasNodeVars ? 'HAS NODE_* (not filtered!)' : 'no NODE_* variables (filtered)'}`);
    table.push('work = the hook\'s own time after its process was ready (from its log); target: start+exit above bare node < 60 ms');
    return { table, json: r };
  },
};
