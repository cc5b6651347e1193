// `npm run bench`: runs every section (or those named in BENCH_ONLY=a,b), prints their tables and
// writes bench/results/latest.json. Needs root and Debian's CNI plugins (the same ones the tests
// use); sections that need more (Go, Podman: `bash scripts/setup --bench`) say so and are skipped.
// iptables chains the run causes are removed afterwards.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cniOverheadSection } from './cni-overhead-section.js';
import { hookCostSection } from './hook-cost-section.js';
import { importCostSection } from './import-cost-section.js';
import { lifecycleSection } from './lifecycle-section.js';
import { parallelSection } from './parallel-section.js';
import { pullSection } from './pull-section.js';
import { runLatencySection } from './run-latency-section.js';
import { scaleSection } from './scale-section.js';
import type { BenchSection } from './section.js';
// The same bookkeeping the tests use: remove only the CNI-* chains this run caused.
import { cniChains, removeNewChains } from '../test/helpers/host.js';

// Each section is one file; add new ones here, in the order they should run.
const SECTIONS: BenchSection[] = [importCostSection, cniOverheadSection, hookCostSection, lifecycleSection, runLatencySection, scaleSection, parallelSection, pullSection];

if (process.getuid?.() !== 0 || !existsSync('/usr/lib/cni/bridge')) {
  console.error('bench: needs root and Debian containernetworking-plugins (run scripts/setup as root)');
  process.exit(1);
}
const iterations = Number(process.env.BENCH_ITERATIONS ?? 30);
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((n) => !SECTIONS.some((s) => s.name === n)) ?? [];
if (unknown.length > 0) {
  console.error(`bench: no section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const results: Record<string, unknown> = {};
const skipped: Record<string, string> = {};
const before = cniChains();
try {
  for (const section of SECTIONS) {
    if (only && !only.includes(section.name)) continue;
    const missing = section.missing?.();
    if (missing) {
      console.log(`\n## ${section.name}: skipped, ${missing}`);
      skipped[section.name] = missing;
      continue;
    }
    console.log(`\n## ${section.name}`);
    const r = await section.run({ iterations });
    console.log(r.table.join('\n'));
    results[section.name] = r.json;
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', `${JSON.stringify({ date: new Date().toISOString(), iterations, results, skipped }, null, 2)}\n`);
} finally {
  removeNewChains(before);
}
