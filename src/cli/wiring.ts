// The composition root for a command line (wiringOf): the global flags and runc options as
// settings; how to re-run nerdnet (the hook's command line and the shim's `rm` for --rm).
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { resolveSettings } from '../lib/api/settings.js';
import { wire, type Wiring } from '../lib/api/wiring.js';
import type { ContainerManager } from '../lib/container/manager.js';
import type { Logger } from '../lib/etc/types.js';
import type { SelfCommand } from '../lib/oci/hooks.js';
import { backendOf, contextFrom } from './context.js';

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

// Root flags set on the command line, as `--flag=value`, sorted by flag name; paths absolute.
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

// The composition root for this command line: the global flags and runc options as settings, this
// process as the hook's and the shim's command (the built CLI's hook has its own entry).
export function wiringOf(cmd: Command): Wiring {
  const ctx = contextFrom(cmd);
  const flags = cmd.optsWithGlobals<{ runc?: string; runcRoot?: string }>();
  const root = rootOf(cmd);
  const self = selfCommand();
  const settings = resolveSettings({
    dataRoot: ctx.flags.dataRoot,
    namespace: ctx.flags.namespace,
    address: ctx.flags.address,
    cniPath: ctx.dirs.pluginDirs,
    cniNetconfPath: ctx.dirs.confDir,
    backend: backendOf(cmd),
    runc: { ...(flags.runc ? { binary: flags.runc } : {}), ...(flags.runcRoot ? { root: flags.runcRoot } : {}) },
    debug: ctx.flags.debug,
    logger: (level, message) => (level === 'debug' ? ctx.debug(message) : cliLogger(level, message)),
  });
  return wire(settings, { hook: hasHookCommand(root) ? hookSelfCommand(self) : undefined, cli: self, globalArgs: globalArgsOf(root) });
}

export function managerFor(cmd: Command): Promise<ContainerManager> {
  return wiringOf(cmd).manager();
}
