// What `nerdnet internal oci-hook <event>` does, shared by the commander
// command (internal.ts) and the hook's fast path (hook-main.ts): read the OCI state from stdin,
// build the hook's environment from the global flags, run the event.
import { text } from 'node:stream/consumers';
import type { Logger } from '../lib/etc/types.js';
import { runHook } from '../lib/hook/run.js';
import type { CliContext } from './context.js';
import { hookEnvOf } from '../lib/api/hook-env.js';
import { DEFAULT_RUN_DIR } from '../lib/store/layout.js';

export async function runOciHook(ctx: CliContext, event: string, bridgeIP: string | undefined): Promise<void> {
  // ms since the process started: Node's own start, module loading, argument parsing.
  const ready = performance.now();
  const stdin = await text(process.stdin);
  const log: Logger = (level, message) => {
    if (level !== 'debug' || ctx.flags.debug) process.stderr.write(`${level}: ${message}\n`);
  };
  let hookLog = log;
  await runHook(
    event,
    stdin,
    (tee) =>
      hookEnvOf(
        {
          dataRoot: ctx.flags.dataRoot,
          address: ctx.flags.address,
          confDir: ctx.dirs.confDir,
          pluginDirs: ctx.dirs.pluginDirs,
          cniCacheDir: process.env.NERDNET_CNI_CACHE_DIR,
          bridgeIP: bridgeIP ?? process.env.NERDCTL_BRIDGE_IP,
          runDir: process.env.NERDNET_RUN_DIR ?? DEFAULT_RUN_DIR,
        },
        (hookLog = tee),
      ),
    log,
  );
  // In the hook's log file, so a slow container start can be told apart from slow plugins.
  hookLog('debug', `${event}: process ready after ${ready.toFixed(1)} ms, hook work ${(performance.now() - ready).toFixed(1)} ms`);
}
