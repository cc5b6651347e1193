// What `nerdnet internal oci-hook <event>` does (spec nerdctl 6.1-6.2), shared by the commander
// command (internal.ts) and the hook's fast path (hook-main.ts): read the OCI state from stdin,
// build the hook's environment from the global flags, run the event.
import { text } from 'node:stream/consumers';
import type { Logger } from '../lib/etc/types.js';
import { runHook } from '../lib/hook/run.js';
import { openDataStore } from '../lib/store/layout.js';
import type { CliContext } from './context.js';
import { cniConfigFor } from './cni-config.js';

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
    async (tee) => ({
      layout: await openDataStore(ctx.flags.dataRoot, ctx.flags.address),
      network: { netconfPath: ctx.dirs.confDir, pluginDirs: ctx.dirs.pluginDirs },
      cni: cniConfigFor(ctx, (c) => tee('debug', c.toString().trimEnd())),
      bridgeIP: bridgeIP ?? process.env.NERDCTL_BRIDGE_IP,
      runDir: process.env.NERDNET_RUN_DIR ?? '/run/nerdctl',
      reservePorts: process.getuid?.() === 0,
      log: (hookLog = tee),
    }),
    log,
  );
  // In the hook's log file, so a slow container start can be told apart from slow plugins.
  hookLog('debug', `${event}: process ready after ${ready.toFixed(1)} ms, hook work ${(performance.now() - ready).toFixed(1)} ms`);
}
