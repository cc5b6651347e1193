// Wiring for the container commands: data store, runc options, how to re-run nerdnet (hook command
// line, spec 6.1, and the shim's `rm` for --rm), and where the network providers come from.
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ContainerManager } from '../../lib/container/manager.js';
import type { ImageSource } from '../../lib/container/image-source.js';
import { StoreImageSource } from '../../lib/container/image-store-source.js';
import type { NetworkProvider } from '../../lib/container/network-provider.js';
import type { Logger } from '../../lib/etc/types.js';
import { buildHookCommand } from '../../lib/oci/hooks.js';
import type { SelfCommand } from '../../lib/oci/hooks.js';
import { openDataStore } from '../../lib/store/layout.js';
import { backendOf, contextFrom } from '../context.js';
import { ContainerdImageSource } from '../../lib/container/containerd-image-source.js';

// What main.ts may hand to the container commands: extra network providers (the CNI one) consulted
// before the built-in host/none provider, and an image store.
export interface ContainerCommandOptions {
  providers?: (cmd: Command) => NetworkProvider[] | Promise<NetworkProvider[]>;
  images?: (cmd: Command) => ImageSource | Promise<ImageSource>;
}

// runc selection, on every container command (env NERDNET_RUNC, NERDNET_RUNC_ROOT).
export function addRuntimeOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--runc <path>', 'runc executable (default: runc on PATH or in /usr/sbin)').env('NERDNET_RUNC'))
    .addOption(new Option('--runc-root <dir>', "runc's state dir, runc --root (default: runc's own, /run/runc)").env('NERDNET_RUNC_ROOT'));
}

export function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

// True when this build has `nerdnet internal oci-hook` (the lead's hook command).
export function hasHookCommand(root: Command): boolean {
  const internal = root.commands.find((c) => c.name() === 'internal');
  return internal?.commands.some((c) => c.name() === 'oci-hook') ?? false;
}

const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

// node + its loader flags (bare specifiers like `tsx` resolved, since hooks run in another cwd) + the script.
export function selfCommand(): SelfCommand {
  const args: string[] = [];
  const exec = process.execArgv;
  const fix = (spec: string) => (spec.startsWith('.') || spec.startsWith('/') || spec.includes(':') || typeof import.meta.resolve !== 'function' ? spec : import.meta.resolve(spec));
  for (let i = 0; i < exec.length; i++) {
    const a = exec[i] ?? '';
    const eq = a.indexOf('=');
    if (LOADER_FLAGS.has(a) && i + 1 < exec.length) args.push(a, fix(exec[++i] ?? ''));
    else if (eq > 0 && LOADER_FLAGS.has(a.slice(0, eq))) args.push(`${a.slice(0, eq)}=${fix(a.slice(eq + 1))}`);
    else args.push(a);
  }
  const script = process.argv[1];
  if (script) args.push(resolve(script));
  return { path: process.execPath, args };
}

// The hook's command: the built CLI (dist/nerdnet.js) has the hook's own entry beside it,
// nerdnet-hook.cjs, which starts faster; from the sources, the CLI itself.
export function hookSelfCommand(self: SelfCommand): SelfCommand {
  const script = self.args.at(-1);
  if (!script?.endsWith('/nerdnet.js')) return self;
  const hookEntry = join(dirname(script), 'nerdnet-hook.cjs');
  return existsSync(hookEntry) ? { path: self.path, args: [...self.args.slice(0, -1), hookEntry] } : self;
}

const PATH_FLAGS = new Set(['dataRoot', 'cniNetconfpath']);

// Root flags set on the command line, as `--flag=value`, sorted by flag name (spec 6.1); paths absolute.
export function globalArgsOf(root: Command): string[] {
  const out: Array<[string, string]> = [];
  for (const opt of root.options) {
    const key = opt.attributeName();
    if (root.getOptionValueSource(key) !== 'cli' || !opt.long) continue;
    const value: unknown = root.getOptionValue(key);
    if (value === true) out.push([opt.long, opt.long]);
    else if (typeof value === 'string' && value !== '') {
      let v = value;
      if (PATH_FLAGS.has(key) && !isAbsolute(v)) v = resolve(v);
      if (key === 'cniPath') v = v.split(':').map((p) => (p && !isAbsolute(p) ? resolve(p) : p)).join(':');
      out.push([opt.long, `${opt.long}=${v}`]);
    }
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, arg]) => arg);
}

export const cliLogger: Logger = (level, message) => {
  if (level === 'debug') return;
  process.stderr.write(`${level === 'warn' ? 'WARN' : 'INFO'} ${message}\n`);
};

export async function managerFor(cmd: Command, opts: ContainerCommandOptions): Promise<ContainerManager> {
  const ctx = contextFrom(cmd);
  const flags = cmd.optsWithGlobals<{ runc?: string; runcRoot?: string }>();
  const dataRoot = resolve(ctx.flags.dataRoot);
  const layout = await openDataStore(dataRoot, ctx.flags.address);
  const root = rootOf(cmd);
  const self = selfCommand();
  const globalArgs = globalArgsOf(root);
  const logger: Logger = (level, message) => (level === 'debug' ? ctx.debug(message) : cliLogger(level, message));
  const providers = opts.providers ? await opts.providers(cmd) : [];
  const containerd = backendOf(cmd) === 'containerd';
  const images = opts.images ? await opts.images(cmd) : containerd ? new ContainerdImageSource(ctx.flags.address) : new StoreImageSource(dataRoot);
  return new ContainerManager({
    layout,
    ns: ctx.flags.namespace,
    providers,
    images,
    runc: { ...(flags.runc ? { binary: flags.runc } : {}), ...(flags.runcRoot ? { root: resolve(flags.runcRoot) } : {}) },
    ...(containerd ? { containerd: { address: ctx.flags.address } } : {}),
    ...(hasHookCommand(root) ? { hook: buildHookCommand(hookSelfCommand(self), globalArgs, process.env) } : {}),
    // The shim's --rm removal: this namespace and data store, whatever the environment says then.
    nerdnet: [self.path, ...self.args, `--namespace=${ctx.flags.namespace}`, `--data-root=${dataRoot}`, `--address=${ctx.flags.address}`, `--backend=${backendOf(cmd)}`],
    logger,
  });
}
