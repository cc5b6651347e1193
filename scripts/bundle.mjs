// Bundle the CLI and the OCI hook. dist/nerdnet.js is the CLI: a small entry plus its chunks in
// dist/chunks. dist/nerdnet-hook.cjs is the hook, one CommonJS file with only the hook's code: runc
// starts it as a fresh process on every container start and stop, and a CommonJS file with no
// chunks starts ~30 ms sooner than the ES module entry (docs/performance.md).
import { build } from 'esbuild';
import { chmod, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

const entry = 'dist/nerdnet.js';
const hookEntry = 'dist/nerdnet-hook.cjs';
// koffi ships a native addon: keep it external so its loader finds the prebuilt binary. gRPC
// (containerd backend only) stays external too: bundled, proto-loader's CommonJS exports came
// out without `load`, and it would double the bundle for every other command.
const external = ['koffi', '@grpc/grpc-js', '@grpc/proto-loader'];
const result = await build({
  entryPoints: ['src/bin/nerdnet.ts'],
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external,
  // CommonJS dependencies (commander) call require(); give every chunk one.
  banner: {
    js: "import { createRequire as __nnCreateRequire } from 'node:module';\nconst require = __nnCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/bin/nerdnet-hook.ts'],
  outfile: hookEntry,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external,
  // The fallback to the full CLI (dynamic import of ./nerdnet.js) and flock's lazy require of koffi
  // resolve from this file's own URL.
  define: { 'import.meta.url': '__nnImportMetaUrl' },
  banner: { js: "'use strict';\nconst __nnImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
await writeFile(entry, `#!/usr/bin/env node\n${await readFile(entry, 'utf8')}`);
await chmod(entry, 0o755);
// Chunks of earlier builds (hashed names); removed after the new ones exist, so a process started
// from the old entry a moment ago still finds its chunks.
const fresh = new Set(Object.keys(result.metafile.outputs).map((p) => basename(p)));
for (const f of await readdir('dist/chunks')) if (!fresh.has(f)) await rm(`dist/chunks/${f}`, { force: true });
