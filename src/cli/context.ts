// Global flags shared by every command (nerdctl's names), resolved once per invocation.
// Commander is only a type here: the hook's fast path (hook-main.ts) loads this file without it.
import type { Command } from 'commander';
import { discoverCniDirs, type CniDirs } from '../lib/cni/discovery.js';
import { NerdnetError } from '../lib/errors.js';
import { BACKENDS, type Backend } from '../lib/runtime/types.js';

export interface GlobalFlags {
  namespace: string;
  address: string;
  dataRoot: string;
  cniPath?: string;
  cniNetconfpath?: string;
  backend?: string;
  hostGatewayIp?: string;
  debug: boolean;
  // Registries pull/push may reach over plain HTTP (nerdctl's --insecure-registry).
  insecureRegistry?: string[];
}

export interface CliContext {
  flags: GlobalFlags;
  dirs: CniDirs;
  debug: (msg: string) => void;
}

// The global flags' values when not given (nerdctl's defaults and env variables).
export function globalDefaults(): GlobalFlags {
  return {
    namespace: process.env.CONTAINERD_NAMESPACE ?? 'default',
    address: process.env.CONTAINERD_ADDRESS ?? '/run/containerd/containerd.sock',
    dataRoot: '/var/lib/nerdctl',
    backend: process.env.NERDNET_BACKEND ?? 'runc',
    debug: false,
  };
}

// The backend the command line (or NERDNET_BACKEND) chose; a clear error for anything else.
export function backendOf(cmd: Command): Backend {
  const value = cmd.optsWithGlobals<{ backend?: string }>().backend ?? 'runc';
  if ((BACKENDS as readonly string[]).includes(value)) return value as Backend;
  throw new NerdnetError('ERR_INVALID_ARG', `invalid --backend ${JSON.stringify(value)} (or NERDNET_BACKEND): give one of ${BACKENDS.join(', ')}`);
}

export function contextFrom(cmd: Command): CliContext {
  return contextOf(cmd.optsWithGlobals<GlobalFlags>());
}

// The same from flags parsed without commander (the OCI hook's fast path, hook-main.ts).
export function contextOf(flags: GlobalFlags): CliContext {
  const dirs = discoverCniDirs({ cniPath: flags.cniPath, netconfPath: flags.cniNetconfpath });
  const debug = flags.debug ? (msg: string) => process.stderr.write(`DEBU ${msg}\n`) : () => {};
  debug(`CNI plugin dirs ${dirs.pluginDirs.join(':')} (from ${dirs.pluginDirsFrom}); conf dir ${dirs.confDir} (from ${dirs.confDirFrom})`);
  return { flags, dirs, debug };
}
