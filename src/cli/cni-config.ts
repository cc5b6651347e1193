// The CNI runtime every command builds the same way from the global flags, with the result cache
// dir overridable by NERDNET_CNI_CACHE_DIR (tests). Its own module so the OCI hook loads it
// without the container providers (providers.ts).
import type { CniConfig } from '../lib/cni/api.js';
import { cniConfigOf } from '../lib/api/hook-env.js';
import type { CliContext } from './context.js';

export function cniConfigFor(ctx: CliContext, stderr?: (chunk: Buffer) => void, timeoutMs?: number): CniConfig {
  return cniConfigOf({ pluginDirs: ctx.dirs.pluginDirs, cniCacheDir: process.env.NERDNET_CNI_CACHE_DIR }, stderr, timeoutMs);
}
