// The OCI hook's own entry, bundled as one CommonJS file (dist/nerdnet-hook.cjs) that the built CLI
// writes into every container's hooks. runc starts it twice per container, and an ES module entry
// costs ~8 ms more to start than a CommonJS one, plus the loading of each chunk (docs/performance.md).
// Same command line as `nerdnet … internal oci-hook <event>`; any other goes to the full CLI.
import { runHookFast } from '../cli/hook-main.js';

async function main(): Promise<void> {
  const code = await runHookFast(process.argv);
  if (code !== undefined) process.exitCode = code;
  // The full CLI (dist/nerdnet.js, beside this file) runs the command line itself.
  else await import(new URL('./nerdnet.js', import.meta.url).href);
}

void main();
