// `nerdnet [global flags] internal oci-hook <event>`: what runc runs. Hidden
// from help; users never call it. The hook's usual command line skips commander (hook-main.ts).
import { Command } from 'commander';
import { contextFrom } from '../context.js';
import { runOciHook } from '../oci-hook.js';

export function internalCommand(): Command {
  const internal = new Command('internal').description('used by the OCI runtime; not for users');
  internal.addCommand(
    new Command('oci-hook')
      .argument('<event>', 'createRuntime or postStop')
      .option('--bridge-ip <cidr>', 'address of the default bridge when the hook creates it')
      // commander names the attribute bridgeIp.
      .action((event: string, opts: { bridgeIp?: string }, cmd: Command) => runOciHook(contextFrom(cmd), event, opts.bridgeIp)),
  );
  return internal;
}
