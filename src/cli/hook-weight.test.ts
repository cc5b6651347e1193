// The OCI hook runs twice per container start/stop, so what its process loads is start-up time
// (docs/performance.md "Hook start cost"). Its entry (src/bin/nerdnet-hook.ts, bundled as one
// CommonJS file) must not pull in the full CLI's libraries: commander, zod, gRPC. A value import
// slipping into a shared file (context.ts once imported commander's Option) would add ~120 KB of
// parsing to every hook without any test failing. koffi, a native addon, loads on first use only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('../bin/nerdnet-hook.ts', import.meta.url));

async function bundleHook() {
  const result = await build({ entryPoints: [ENTRY], bundle: true, format: 'cjs', platform: 'node', outfile: '/nonexistent/hook.cjs', write: false, metafile: true, logLevel: 'silent', external: ['koffi', '@grpc/grpc-js', '@grpc/proto-loader'] });
  const [output] = Object.values(result.metafile.outputs);
  assert.ok(output && result.outputFiles[0]);
  return { inputs: Object.keys(output.inputs), text: result.outputFiles[0].text };
}

describe('the hook entry', () => {
  it('bundles none of the CLI-only libraries (commander, zod, gRPC), even behind a dynamic import', async () => {
    const { inputs } = await bundleHook();
    const heavy = inputs.filter((f) => /node_modules\/(commander|zod|@grpc)\//.test(f));
    assert.deepEqual(heavy, []);
    assert.ok(inputs.some((f) => f.endsWith('src/lib/hook/events.ts')), 'the hook code itself is there');
  });

  it('loads koffi only when a libc call is made, not at start', async () => {
    const { text } = await bundleHook();
    assert.doesNotMatch(text, /require\("koffi"\)/);
  });
});
