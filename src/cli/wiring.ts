// The composition root for a command line (wiringOf): the global flags and runc options as
// settings; how to re-run nerdnet (the hook's command line and the shim's `rm` for --rm).
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { resolveSettings, type Settings } from '../lib/api/settings.js';
import { DEFAULT_CONF_DIR } from '../lib/cni/discovery.js';
import { DEFAULT_ADDRESS, DEFAULT_DATA_ROOT } from '../lib/store/layout.js';
import { wire, type Wiring } from '../lib/api/wiring.js';
import type { ContainerManager } from '../lib/container/manager.js';
import type { Logger } from '../lib/etc/types.js';
import type { SelfCommand } from '../lib/oci/hooks.js';
import { backendOf } from './context.js';

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

// Settings the hook reads as flags, by the root option's attribute name, and their value when
// nothing set them (only a value that differs is passed on).
const HOOK_SETTINGS: Record<string, [(s: Settings) => string | boolean, string | boolean]> = {
  address: [(s) => s.address, DEFAULT_ADDRESS],
  cniNetconfpath: [(s) => s.confDir, DEFAULT_CONF_DIR],
  cniPath: [(s) => s.pluginDirs.join(':'), ''],
  dataRoot: [(s) => s.dataRoot, DEFAULT_DATA_ROOT],
  debug: [(s) => s.debug, false],
  namespace: [(s) => s.namespace, 'default'],
};

function hookValueOf(root: Command, key: string, settings: Settings | undefined): unknown {
  const fromCli = root.getOptionValueSource(key) === 'cli';
  const hook = HOOK_SETTINGS[key];
  if (!settings || !hook) return fromCli ? root.getOptionValue(key) : undefined;
  const [read, fallback] = hook;
  const value = read(settings);
  // cni_path: nerdctl's default is the first existing dir of its list; only a chosen one is passed.
  if (key === 'cniPath' && !fromCli && settings.pluginDirsFrom === 'default') return undefined;
  return fromCli || value !== fallback ? value : undefined;
}

// Root flags set on the command line, as `--flag=value`, sorted by flag name; paths absolute. With
// the settings, as nerdctl >= 2.2.1: also those whose value came from the env or nerdctl.toml.
export function globalArgsOf(root: Command, settings?: Settings): string[] {
  const out: Array<[string, string]> = [];
  for (const opt of root.options) {
    const key = opt.attributeName();
    if (!opt.long) continue;
    const value = hookValueOf(root, key, settings);
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
  const settings = settingsOf(cmd);
  const root = rootOf(cmd);
  const self = selfCommand();
  return wire(settings, { hook: hasHookCommand(root) ? hookSelfCommand(self) : undefined, cli: self, globalArgs: globalArgsOf(root, settings) });
}

// The settings of this command line: its global flags where given, then the env, nerdctl.toml and
// the defaults (resolveSettings decides the rest).
export function settingsOf(cmd: Command): Settings {
  const root = rootOf(cmd);
  const given = <T>(key: string): T | undefined => (root.getOptionValueSource(key) === 'cli' ? (root.getOptionValue(key) as T) : undefined);
  const flags = cmd.optsWithGlobals<{ runc?: string; runcRoot?: string }>();
  const cniPath = given<string>('cniPath');
  const debug = given<boolean>('debug');
  const settings = resolveSettings({
    ...defined('dataRoot', given<string>('dataRoot')),
    ...defined('namespace', given<string>('namespace')),
    ...defined('address', given<string>('address')),
    ...defined('cniPath', cniPath === undefined ? undefined : cniPath.split(':').filter(Boolean)),
    ...defined('cniNetconfPath', given<string>('cniNetconfpath')),
    ...defined('hostGatewayIP', given<string>('hostGatewayIp')),
    ...defined('debug', debug),
    backend: backendOf(cmd),
    runc: { ...(flags.runc ? { binary: flags.runc } : {}), ...(flags.runcRoot ? { root: flags.runcRoot } : {}) },
    logger: (level, message) => (level === 'debug' ? process.stderr.write(`DEBU ${message}\n`) : cliLogger(level, message)),
  });
  settings.logger('debug', `CNI plugin dirs ${settings.pluginDirs.join(':')} (from ${settings.pluginDirsFrom}); conf dir ${settings.confDir} (from ${settings.confDirFrom}); nerdctl.toml ${settings.nerdctlToml ?? 'none'}`);
  return settings;
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function managerFor(cmd: Command): Promise<ContainerManager> {
  return wiringOf(cmd).manager();
}
