// Import cost of the library: a fresh `node` that imports an entry point (the package root, each
// subpath) against a bare ES module `node -e ''`, interleaved. Entries come from package.json "exports" of
// the built dist/; BENCH_IMPORT_VARIANTS=before=/old/dist/lib/index.js adds another build's file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { summarize, type Summary } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function builtLibMissing(): string | undefined {
  return existsSync(`${ROOT}dist/lib/index.js`) ? undefined : 'no dist/lib/index.js (run npm run build)';
}

function entries(): Array<[string, string]> {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { name: string; exports: Record<string, string | { default: string }> };
  const own = Object.entries(pkg.exports)
    .filter((e): e is [string, { default: string }] => typeof e[1] === 'object')
    .map(([sub, e]): [string, string] => [sub === '.' ? pkg.name : `${pkg.name}${sub.slice(1)}`, `${ROOT}${e.default.slice(2)}`]);
  const extra = (process.env.BENCH_IMPORT_VARIANTS ?? '')
    .split(',')
    .filter((v) => v.includes('='))
    .map((v): [string, string] => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]);
  return [...own, ...extra];
}

function wall(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return ms;
}

export interface ImportCost {
  iterations: number;
  bare: Summary;
  rows: Array<{ label: string; file: string; wall: Summary; aboveBare: number }>;
}

export function benchImportCost(iterations: number): ImportCost {
  const list = entries();
  const samples = new Map<string, number[]>(list.map(([label]) => [label, []]));
  const bare: number[] = [];
  for (let i = 0; i < iterations; i++) {
    // The baseline is an ES module start too: what any program that imports nerdnet pays anyway.
    bare.push(wall(['--input-type=module', '-e', '']));
    for (const [label, file] of list) samples.get(label)?.push(wall(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`]));
  }
  const b = summarize(bare);
  return {
    iterations,
    bare: b,
    rows: list.map(([label, file]) => {
      const w = summarize(samples.get(label) ?? []);
      return { label, file, wall: w, aboveBare: w.median - b.median };
    }),
  };
}
