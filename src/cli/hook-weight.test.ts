// The OCI hook runs twice per container start/stop, so what its process loads is start-up time
// (docs/performance.md "Hook start cost"). Its entry must not pull in the full CLI's libraries:
// commander, zod, gRPC. A value import slipping into a shared file (context.ts once imported
// commander's Option) would add ~120 KB of parsing to every hook without any test failing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./hook-main.ts', import.meta.url));

describe('the hook entry', () => {
  it('loads none of the CLI-only libraries (commander, zod, gRPC) up front', async () => {
    const result = await build({ entryPoints: [ENTRY], bundle: true, splitting: true, format: 'esm', platform: 'node', outdir: '/nonexistent', write: false, metafile: true, logLevel: 'silent', external: ['koffi'] });
    const outputs = result.metafile.outputs;
    const entry = Object.keys(outputs).find((o) => outputs[o]?.entryPoint !== undefined);
    assert.ok(entry);
    // Chunks reachable by static imports only: dynamic ones load when used (the full CLI fallback).
    const seen = new Set<string>();
    const todo = [entry];
    while (todo.length > 0) {
      const o = todo.pop() ?? '';
      if (seen.has(o)) continue;
      seen.add(o);
      for (const i of outputs[o]?.imports ?? []) if (i.kind === 'import-statement' && outputs[i.path]) todo.push(i.path);
    }
    const inputs = [...seen].flatMap((o) => Object.keys(outputs[o]?.inputs ?? {}));
    const heavy = inputs.filter((f) => /node_modules\/(commander|zod|@grpc)\//.test(f));
    assert.deepEqual(heavy, []);
    assert.ok(inputs.some((f) => f.endsWith('src/lib/hook/events.ts')), 'the hook code itself is there');
  });
});
