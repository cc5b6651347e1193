// `nerdnet [global flags] internal oci-hook <event>`: what runc runs (spec nerdctl 6.1-6.2). Hidden
// from help; users never call it.
import { Command } from 'commander';
import { text } from 'node:stream/consumers';
import { runHook } from '../../lib/hook/run.js';
import { openDataStore } from '../../lib/store/layout.js';
import { contextFrom } from '../context.js';
import { cniConfigFor } from '../providers.js';

export function internalCommand(): Command {
  const internal = new Command('internal').description('used by the OCI runtime; not for users');
  internal.addCommand(
    new Command('oci-hook')
      .argument('<event>', 'createRuntime or postStop')
      .option('--bridge-ip <cidr>', 'address of the default bridge when the hook creates it')
      .action(async (event: string, opts: { bridgeIP?: string }, cmd: Command) => {
        const ctx = contextFrom(cmd);
        const stdin = await text(process.stdin);
        const log = (level: string, message: string) => {
          if (level !== 'debug' || ctx.flags.debug) process.stderr.write(`${level}: ${message}\n`);
        };
        await runHook(
          event,
          stdin,
          async (tee) => ({
            layout: await openDataStore(ctx.flags.dataRoot, ctx.flags.address),
            network: { netconfPath: ctx.dirs.confDir, pluginDirs: ctx.dirs.pluginDirs },
            cni: cniConfigFor(ctx, (c) => tee('debug', c.toString().trimEnd())),
            bridgeIP: opts.bridgeIP ?? process.env.NERDCTL_BRIDGE_IP,
            runDir: process.env.NERDNET_RUN_DIR ?? '/run/nerdctl',
            reservePorts: process.getuid?.() === 0,
            log: tee,
          }),
          log,
        );
      }),
  );
  return internal;
}
