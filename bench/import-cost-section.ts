// Import cost: `import('nerdnet')` and each subpath in a fresh node, against a bare node start.
import { benchImportCost, builtLibMissing } from './import-cost.js';
import type { BenchSection } from './section.js';
import { fmt } from './stats.js';

export const importCostSection: BenchSection = {
  name: 'import-cost',
  missing: builtLibMissing,
  run({ iterations }) {
    const r = benchImportCost(iterations);
    const col = (s: string, w: number) => s.padEnd(w);
    const table = [
      `node start + import of each entry point of dist/, ${r.iterations} runs each, interleaved`,
      `${col('', 28)}${col('median', 11)}${col('p10', 11)}${col('p90', 11)}above bare node`,
      `${col('bare node (ES module)', 28)}${col(fmt(r.bare.median), 11)}${col(fmt(r.bare.p10), 11)}${col(fmt(r.bare.p90), 11)}`,
      ...r.rows.map((row) => `${col(row.label, 28)}${col(fmt(row.wall.median), 11)}${col(fmt(row.wall.p10), 11)}${col(fmt(row.wall.p90), 11)}+${fmt(row.aboveBare)}`),
      'target: import of the package root at most 40 ms above a bare node start',
    ];
    return Promise.resolve({ table, json: r });
  },
};
