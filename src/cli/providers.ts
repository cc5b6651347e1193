// The CNI pieces every command builds the same way from the global flags: the CNI runtime (with
// the result cache dir, overridable by NERDNET_CNI_CACHE_DIR for tests) and the CNI network provider.
import { join } from 'node:path';
import type { Command } from 'commander';
import { CniConfig } from '../lib/cni/api.js';
import { RawExec } from '../lib/cni/exec.js';
import { CniProvider } from '../lib/container/cni-provider.js';
import { openDataStore } from '../lib/store/layout.js';
import { contextFrom, type CliContext } from './context.js';

export function cniConfigFor(ctx: CliContext, stderr?: (chunk: Buffer) => void, timeoutMs?: number): CniConfig {
  return new CniConfig({
    path: ctx.dirs.pluginDirs,
    exec: new RawExec(stderr ? { stderr } : {}),
    ...(process.env.NERDNET_CNI_CACHE_DIR ? { cacheDir: process.env.NERDNET_CNI_CACHE_DIR } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

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
