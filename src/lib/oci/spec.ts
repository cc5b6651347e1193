// Build a container's config.json from what the caller decided: process, root, mounts, namespaces,
// annotations and hooks. Pure: validates and returns data; writing the bundle is the runtime's job.
import { NerdnetError } from '../errors.js';
import { DEFAULT_CAPABILITIES, DEFAULT_PATH, MASKED_PATHS, READONLY_PATHS, defaultMounts } from './defaults.js';
import { OCI_VERSION } from './types.js';
import type { Hooks, Mount, Namespace, Spec, User } from './types.js';

// new: an own network namespace (CNI, none); host: the host's (omit the entry); path: join one.
export type NetnsSpec = { mode: 'new' } | { mode: 'host' } | { mode: 'path'; path: string };

export interface SpecInput {
  args: readonly string[];
  // KEY=VALUE entries in priority order (later wins); PATH is added when missing.
  env?: readonly string[];
  cwd?: string;
  terminal?: boolean;
  user?: User;
  // Absolute path of the root filesystem.
  rootPath: string;
  readonlyRoot?: boolean;
  hostname?: string;
  domainname?: string;
  // --uts=host: no UTS namespace, so no hostname or domainname of its own.
  utsHost?: boolean;
  // Bind mounts etc.; one at the same destination as a default mount replaces it.
  mounts?: readonly Mount[];
  netns: NetnsSpec;
  annotations?: Record<string, string>;
  hooks?: Hooks;
  sysctl?: Record<string, string>;
  capabilities?: readonly string[];
}

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

function noNul(what: string, value: string): string {
  if (value.includes('\0')) throw invalid(`invalid ${what} ${JSON.stringify(value)}: it contains a NUL byte`);
  return value;
}

// Merge KEY=VALUE lists: a later entry replaces an earlier one with the same key, in place.
export function mergeEnv(...lists: ReadonlyArray<readonly string[]>): string[] {
  const byKey = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list) {
      noNul('environment entry', entry);
      const eq = entry.indexOf('=');
      if (eq <= 0) throw invalid(`invalid environment entry ${JSON.stringify(entry)}: write KEY=VALUE, e.g. -e FOO=bar`);
      byKey.set(entry.slice(0, eq), entry);
    }
  }
  return [...byKey.values()];
}

function checkAbsolute(what: string, path: string): string {
  noNul(what, path);
  if (!path.startsWith('/')) throw invalid(`invalid ${what} ${JSON.stringify(path)}: it must be an absolute path (start with "/")`);
  return path;
}

function namespaces(netns: NetnsSpec, utsHost: boolean): Namespace[] {
  const list: Namespace[] = [{ type: 'pid' }, { type: 'ipc' }, ...(utsHost ? [] : [{ type: 'uts' } as const]), { type: 'mount' }];
  if (netns.mode === 'new') list.push({ type: 'network' });
  if (netns.mode === 'path') list.push({ type: 'network', path: checkAbsolute('network namespace path', netns.path) });
  return list;
}

function mounts(extra: readonly Mount[]): Mount[] {
  const given = new Set(extra.map((m) => checkAbsolute('mount destination', m.destination)));
  return [...defaultMounts().filter((m) => !given.has(m.destination)), ...extra];
}

export function buildSpec(input: SpecInput): Spec {
  if (input.args.length === 0 || input.args[0] === '') {
    throw invalid('no command specified: give a command after the image (or --rootfs DIR), e.g. `run --rootfs ./rootfs sh -c "echo hi"`');
  }
  const args = input.args.map((a) => noNul('argument', a));
  const env = mergeEnv(input.env ?? []);
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(`PATH=${DEFAULT_PATH}`);
  const caps = [...(input.capabilities ?? DEFAULT_CAPABILITIES)];
  const spec: Spec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: input.terminal ?? false,
      user: input.user ?? { uid: 0, gid: 0 },
      args,
      env,
      cwd: checkAbsolute('working directory', input.cwd ?? '/'),
      capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: false,
    },
    root: { path: checkAbsolute('root filesystem', input.rootPath), readonly: input.readonlyRoot ?? false },
    mounts: mounts(input.mounts ?? []),
    linux: {
      namespaces: namespaces(input.netns, input.utsHost ?? false),
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      // runc adds its default device allow-list on top of this deny-all (as `runc spec` writes it).
      resources: { devices: [{ allow: false, access: 'rwm' }] },
    },
  };
  if (input.hostname && !input.utsHost) spec.hostname = noNul('hostname', input.hostname);
  if (input.domainname && !input.utsHost) spec.domainname = noNul('domainname', input.domainname);
  if (input.sysctl && Object.keys(input.sysctl).length > 0) spec.linux.sysctl = { ...input.sysctl };
  if (input.annotations && Object.keys(input.annotations).length > 0) spec.annotations = { ...input.annotations };
  const hooks = nonEmptyHooks(input.hooks);
  if (hooks) spec.hooks = hooks;
  return spec;
}

function nonEmptyHooks(hooks: Hooks | undefined): Hooks | undefined {
  if (!hooks) return undefined;
  const out: Hooks = {};
  for (const [k, v] of Object.entries(hooks) as Array<[keyof Hooks, Hooks[keyof Hooks]]>) {
    if (v && v.length > 0) out[k] = v.map((h) => ({ ...h, path: checkAbsolute('hook path', h.path) }));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

// Append hooks to a spec's existing ones.
export function appendHooks(base: Hooks | undefined, extra: Hooks): Hooks {
  const out: Hooks = { ...(base ?? {}) };
  for (const [k, v] of Object.entries(extra) as Array<[keyof Hooks, Hooks[keyof Hooks]]>) {
    if (v && v.length > 0) out[k] = [...(out[k] ?? []), ...v];
  }
  return out;
}
