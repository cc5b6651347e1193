// The nerdnet OCI hook entries: `createRuntime` and `poststop` both run
// `<self> [global flags] internal oci-hook <event>`, with nerdnet's environment plus sbin on PATH.
import type { Hook, Hooks } from './types.js';

// How to start nerdnet again: the executable and the arguments before any nerdnet argument
// (for `node --import tsx src/bin/nerdnet.ts`: path=node, args=["--import", "<tsx>", "<script>"]).
export interface SelfCommand {
  path: string;
  args: string[];
}

// The hook command line without its event: `args` = [path, ...self args, ...global flags, "internal", "oci-hook"].
export interface HookCommand {
  path: string;
  args: string[];
  env: string[];
}

export type HookEvent = 'createRuntime' | 'postStop';

// `globalArgs` are `--flag=value` strings.
// What the hook process needs from nerdnet's environment. nerdctl passes everything; for a Node
// hook that costs start time (NODE_EXTRA_CA_CERTS alone adds ~80 ms, NODE_OPTIONS may load more).
const HOOK_ENV = /^(PATH|HOME|LANG|LC_[A-Z]+|TZ|TMPDIR|XDG_[A-Z_]+|CNI_PATH|NETCONFPATH|CONTAINERD_[A-Z_]+|NERDCTL_[A-Z_]+|NERDNET_[A-Z_]+)$/;

export function buildHookCommand(self: SelfCommand, globalArgs: readonly string[], env: NodeJS.ProcessEnv): HookCommand {
  const entries = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && HOOK_ENV.test(e[0]))
    .map(([k, v]) => `${k}=${v}`);
  // nerdctl appends sbin for iptables as an extra PATH entry; the last PATH wins in Go's exec.
  entries.push(`PATH=${env.PATH ?? ''}:/usr/sbin:/sbin`);
  return { path: self.path, args: [self.path, ...self.args, ...globalArgs, 'internal', 'oci-hook'], env: entries };
}

export function hookFor(cmd: HookCommand, event: HookEvent): Hook {
  return { path: cmd.path, args: [...cmd.args, event], env: [...cmd.env] };
}

// The two entries every nerdnet container gets.
export function nerdnetHooks(cmd: HookCommand): Hooks {
  return { createRuntime: [hookFor(cmd, 'createRuntime')], poststop: [hookFor(cmd, 'postStop')] };
}
