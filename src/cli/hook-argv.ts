// The OCI hook's command line as buildHookCommand writes it: `[--flag=value...] internal oci-hook
// <event>` (global flags in their long `=` form). Parsed here without commander, which
// costs the hook's start more than the parsing is worth; any other form goes to the full CLI,
// which parses it the same way, only slower.
import type { GlobalFlags } from './context.js';

export interface HookArgs {
  flags: GlobalFlags;
  event: string;
  bridgeIP?: string | undefined;
}

// Cheap test for the entry: is this the hook's command (so load only the hook's code)?
export function isHookCommand(args: readonly string[]): boolean {
  const i = args.indexOf('internal');
  return i >= 0 && args[i + 1] === 'oci-hook' && args.slice(0, i).every((a) => a.startsWith('-'));
}

const VALUE_FLAGS: Record<string, 'namespace' | 'address' | 'dataRoot' | 'cniPath' | 'cniNetconfpath' | 'backend' | 'hostGatewayIp'> = {
  '--namespace': 'namespace',
  '--address': 'address',
  '--data-root': 'dataRoot',
  '--cni-path': 'cniPath',
  '--cni-netconfpath': 'cniNetconfpath',
  // Passed on by `--backend containerd`; the hook works the same for both backends.
  '--backend': 'backend',
  // Passed on as nerdctl does; the hook has no use for it (extra hosts are resolved at create).
  '--host-gateway-ip': 'hostGatewayIp',
};

// The hook's flags and event, or undefined for anything this parser does not know (help, short
// flags, `--flag value` pairs, extra arguments): the caller then runs the full CLI.
export function parseHookArgs(args: readonly string[], defaults: GlobalFlags): HookArgs | undefined {
  const flags: GlobalFlags = { ...defaults };
  let i = 0;
  for (; i < args.length && args[i] !== 'internal'; i++) {
    const a = args[i] ?? '';
    const eq = a.indexOf('=');
    const key = VALUE_FLAGS[eq > 0 ? a.slice(0, eq) : ''];
    if (key) flags[key] = a.slice(eq + 1);
    else if (a === '--debug') flags.debug = true;
    else return undefined;
  }
  const [internal, ociHook, event, ...rest] = args.slice(i);
  if (internal !== 'internal' || ociHook !== 'oci-hook' || !event || event.startsWith('-')) return undefined;
  if (rest.length === 0) return { flags, event };
  const bridge = rest.length === 1 && rest[0]?.startsWith('--bridge-ip=') ? rest[0].slice('--bridge-ip='.length) : undefined;
  return bridge === undefined ? undefined : { flags, event, bridgeIP: bridge };
}
