// The CNI runtime every command builds the same way from the global flags, with the result cache
// dir overridable by NERDNET_CNI_CACHE_DIR (tests). Its own module so the OCI hook loads it
// without the container providers (providers.ts).
import { CniConfig } from '../lib/cni/api.js';
import { RawExec } from '../lib/cni/exec.js';
import type { CliContext } from './context.js';

export function cniConfigFor(ctx: CliContext, stderr?: (chunk: Buffer) => void, timeoutMs?: number): CniConfig {
  return new CniConfig({
    path: ctx.dirs.pluginDirs,
    exec: new RawExec(stderr ? { stderr } : {}),
    ...(process.env.NERDNET_CNI_CACHE_DIR ? { cacheDir: process.env.NERDNET_CNI_CACHE_DIR } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}
