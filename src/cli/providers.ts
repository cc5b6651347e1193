// The CNI pieces every command builds the same way from the global flags: the CNI runtime
// (cni-config.ts) and the CNI network provider.
import { join } from 'node:path';
import type { Command } from 'commander';
import { CniProvider } from '../lib/container/cni-provider.js';
import { openDataStore } from '../lib/store/layout.js';
import { cniConfigFor } from './cni-config.js';
import { contextFrom } from './context.js';

export { cniConfigFor };

export async function cniProviderFor(cmd: Command): Promise<CniProvider> {
  const ctx = contextFrom(cmd);
  const layout = await openDataStore(ctx.flags.dataRoot, ctx.flags.address);
  return new CniProvider({
    network: { netconfPath: ctx.dirs.confDir, pluginDirs: ctx.dirs.pluginDirs },
    cni: cniConfigFor(ctx),
    bridgeIP: process.env.NERDCTL_BRIDGE_IP,
    portsLockPath: join(layout.root, 'ports.lock'),
  });
}
