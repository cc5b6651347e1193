// Bundle the CLI/hook entry into one ESM file: the OCI hook starts as a fresh process on every
// container start, and one file loads far faster than a tree of node_modules.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const out = 'dist/nerdnet.js';
await build({
  entryPoints: ['src/bin/nerdnet.ts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // koffi ships a native addon: keep it external so its loader finds the prebuilt binary.
  external: ['koffi'],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __nnCreateRequire } from 'node:module';\nconst require = __nnCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await chmod(out, 0o755);
