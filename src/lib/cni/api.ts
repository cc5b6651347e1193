// The CNI runtime API (libcni's CNIConfig): ADD/CHECK/DEL over a plugin
// chain, STATUS, GC, VERSION, validation, with the result cache feeding prevResult to DEL/CHECK.
import { stat } from 'node:fs/promises';
import { CniError, NerdnetError, wrapError } from '../errors.js';
import { ResultCache, type CachedAttachment, type RuntimeConf } from './cache.js';
import type { JsonObject, NetworkConfigList, PluginConf } from './conf.js';
import { RawExec, pluginEnv, type CniCommand, type PluginExec } from './exec.js';
import { buildRequest, canonicalJSON, type Attachment } from './request.js';
import { convertResult, parsePluginOutput, parseResult, resultToJSON, type Result } from './result.js';
import { validateContainerID, validateInterfaceName, validateNetworkName } from './validate.js';
import { compareVersions, decodeVersionInfo, selectConfigVersion, type VersionInfo } from './version.js';

export interface CniConfigOptions {
  // Plugin directories, searched in order.
  path: readonly string[];
  exec?: PluginExec;
  // Base of the result cache (`<cacheDir>/results`), default /var/lib/cni.
  cacheDir?: string;
  // Per plugin invocation; a hung plugin is killed after this long.
  timeoutMs?: number;
  // Intersect `cniVersions` with each plugin's VERSION answer (libcni does not). Default true.
  negotiateVersions?: boolean;
}

export interface OpOptions {
  signal?: AbortSignal;
}

export interface GCArgs {
  validAttachments: Attachment[];
}

const CHECK_MIN = '0.4.0';
const GC_STATUS_MIN = '1.1.0';

function pluginLabel(p: PluginConf): string {
  const own = typeof p.raw.name === 'string' && p.raw.name !== '' ? ` name="${p.raw.name}"` : '';
  return `plugin type="${p.type}"${own}`;
}

// A cache entry's result converted to `target` (libcni GetNetworkListCachedResult).
function cachedResult(entry: CachedAttachment | undefined, target: string): Result | undefined {
  if (!entry?.result) return undefined;
  const parsed = parseResult(entry.result, target);
  try {
    return convertResult(parsed, target);
  } catch (e) {
    throw new NerdnetError('ERR_CACHE', `failed to convert cached result to config version "${target}": ${(e as Error).message}`, { cause: e });
  }
}

// DEL must see the ADD's capability args and CNI_ARGS (portmap's DEL is a no-op without its
// mappings: rules leak). libcni leaves that to the caller; a caller that gives none gets the cached ones.
function withCachedArgs(rt: RuntimeConf, entry: CachedAttachment | undefined): RuntimeConf {
  const out: RuntimeConf = { ...rt };
  if ((!rt.capabilityArgs || Object.keys(rt.capabilityArgs).length === 0) && entry?.capabilityArgs) out.capabilityArgs = entry.capabilityArgs;
  if ((!rt.args || rt.args.length === 0) && entry?.cniArgs) out.args = entry.cniArgs;
  return out;
}

export class CniConfig {
  readonly path: readonly string[];
  readonly exec: PluginExec;
  readonly cache: ResultCache;
  private readonly timeoutMs: number | undefined;
  private readonly negotiate: boolean;
  // VERSION answers per plugin binary (path + mtime): a binary does not change its mind.
  private readonly versionAnswers = new Map<string, Promise<VersionInfo>>();

  constructor(opts: CniConfigOptions) {
    this.path = opts.path;
    this.exec = opts.exec ?? new RawExec();
    this.cache = new ResultCache(opts.cacheDir);
    this.timeoutMs = opts.timeoutMs;
    this.negotiate = opts.negotiateVersions ?? true;
  }

  private execOpts(o: OpOptions): { signal?: AbortSignal; timeoutMs?: number } {
    return { ...(o.signal ? { signal: o.signal } : {}), ...(this.timeoutMs !== undefined ? { timeoutMs: this.timeoutMs } : {}) };
  }

  private async run(pluginPath: string, command: CniCommand, req: JsonObject, rt: Partial<RuntimeConf>, o: OpOptions): Promise<{ stdout: Buffer; stdin: Buffer }> {
    const stdin = Buffer.from(canonicalJSON(req));
    const env = pluginEnv({
      command,
      ...(rt.containerID !== undefined ? { containerID: rt.containerID } : {}),
      ...(rt.netns !== undefined ? { netns: rt.netns } : {}),
      ...(rt.ifName !== undefined ? { ifName: rt.ifName } : {}),
      ...(rt.args !== undefined ? { args: rt.args } : {}),
      path: this.path,
    });
    const stdout = await this.exec.execPlugin(pluginPath, stdin, env, this.execOpts(o));
    return { stdout, stdin };
  }

  // The version the list is run at: libcni's choice, narrowed by the plugins' VERSION answers
  // when the list offers `cniVersions` (Debian's plugins stop at 1.0.0).
  async effectiveVersion(list: NetworkConfigList, o: OpOptions = {}): Promise<string> {
    if (!this.negotiate || !list.declaredVersions || list.declaredVersions.length === 0) return list.cniVersion;
    const supported: string[][] = [];
    for (const p of list.plugins) {
      try {
        supported.push((await this.getVersionInfo(p.type, o)).supportedVersions);
      } catch {
        return list.cniVersion;
      }
    }
    return selectConfigVersion(list.declaredVersion, list.declaredVersions, undefined, supported);
  }

  async addNetworkList(list: NetworkConfigList, rt: RuntimeConf, o: OpOptions = {}): Promise<Result> {
    const version = await this.effectiveVersion(list, o);
    let prev: Result | undefined;
    for (const plugin of list.plugins) {
      try {
        const pluginPath = await this.exec.findInPath(plugin.type, this.path);
        validateContainerID(rt.containerID);
        validateNetworkName(list.name);
        validateInterfaceName(rt.ifName);
        const req = buildRequest(plugin, {
          command: 'ADD',
          name: list.name,
          cniVersion: version,
          capabilityArgs: rt.capabilityArgs,
          prevResult: prev === undefined ? undefined : resultToJSON(prev),
        });
        const { stdout, stdin } = await this.run(pluginPath, 'ADD', req, rt, o);
        prev = parsePluginOutput(stdout, stdin);
      } catch (e) {
        if (e instanceof CniError) e.plugin ??= plugin.type;
        // Unlike libcni: the result so far is cached, so the DEL the caller owes gives the plugins
        // that did run their prevResult (firewall removes its rules for the address only with it).
        if (prev !== undefined) await this.cache.write(list, rt, resultToJSON(prev)).catch(() => undefined);
        throw wrapError(`${pluginLabel(plugin)} failed (add)`, e);
      }
    }
    if (prev === undefined) throw new NerdnetError('ERR_INVALID_CONFIG', `network "${list.name}" has no plugins`);
    await this.cache.write(list, rt, resultToJSON(prev));
    return prev;
  }

  // The cached ADD result converted to `version`; undefined when there is none.
  async getNetworkListCachedResult(list: NetworkConfigList, rt: RuntimeConf, version?: string): Promise<Result | undefined> {
    return cachedResult(await this.cache.read(list.name, rt.containerID, rt.ifName), version ?? list.cniVersion);
  }

  // The cached config bytes and runtime conf (args/capabilities as they were at ADD).
  async getNetworkListCachedConfig(list: Pick<NetworkConfigList, 'name'>, rt: RuntimeConf): Promise<{ config: Buffer; rt: RuntimeConf } | undefined> {
    const entry = await this.cache.read(list.name, rt.containerID, rt.ifName);
    if (!entry || entry.config.length === 0) return undefined;
    const out: RuntimeConf = { ...rt };
    if (entry.cniArgs) out.args = entry.cniArgs;
    if (entry.capabilityArgs) out.capabilityArgs = entry.capabilityArgs;
    return { config: entry.config, rt: out };
  }

  async checkNetworkList(list: NetworkConfigList, rt: RuntimeConf, o: OpOptions = {}): Promise<void> {
    const version = await this.effectiveVersion(list, o);
    if (compareVersions(version, CHECK_MIN) < 0) {
      throw new NerdnetError('ERR_CHECK_NOT_SUPPORTED', `configuration version "${version}" does not support the CHECK command`);
    }
    if (list.disableCheck) return;
    let cached: Result | undefined;
    try {
      cached = await this.getNetworkListCachedResult(list, rt, version);
    } catch (e) {
      throw wrapError(`failed to get network "${list.name}" cached result`, e);
    }
    const prevResult = cached === undefined ? undefined : resultToJSON(cached);
    for (const plugin of list.plugins) {
      try {
        const pluginPath = await this.exec.findInPath(plugin.type, this.path);
        const req = buildRequest(plugin, { command: 'CHECK', name: list.name, cniVersion: version, capabilityArgs: rt.capabilityArgs, prevResult });
        await this.run(pluginPath, 'CHECK', req, rt, o);
      } catch (e) {
        if (e instanceof CniError) e.plugin ??= plugin.type;
        throw e;
      }
    }
  }

  async delNetworkList(list: NetworkConfigList, given: RuntimeConf, o: OpOptions = {}): Promise<void> {
    const version = await this.effectiveVersion(list, o);
    // One read of the cache serves both the ADD's args and prevResult.
    let entry: CachedAttachment | undefined;
    let prevResult: JsonObject | undefined;
    try {
      entry = await this.cache.read(list.name, given.containerID, given.ifName);
      if (compareVersions(version, CHECK_MIN) >= 0) {
        const cached = cachedResult(entry, version);
        if (cached !== undefined) prevResult = resultToJSON(cached);
      }
    } catch {
      // An unreadable cache must not block teardown (cni#1055, #1072): drop it, DEL without it.
      entry = undefined;
      await this.cache.remove(list.name, given.containerID, given.ifName);
    }
    const rt = withCachedArgs(given, entry);
    for (const plugin of [...list.plugins].reverse()) {
      try {
        const pluginPath = await this.exec.findInPath(plugin.type, this.path);
        const req = buildRequest(plugin, { command: 'DEL', name: list.name, cniVersion: version, capabilityArgs: rt.capabilityArgs, prevResult });
        await this.run(pluginPath, 'DEL', req, rt, o);
      } catch (e) {
        if (e instanceof CniError) e.plugin ??= plugin.type;
        // The cache is kept so a retry gets prevResult again.
        throw wrapError(`${pluginLabel(plugin)} failed (delete)`, e);
      }
    }
    await this.cache.remove(list.name, rt.containerID, rt.ifName);
  }

  // STATUS (1.1.0): the first plugin error is returned as is, so codes 50/51 reach the caller.
  async getStatusNetworkList(list: NetworkConfigList, o: OpOptions = {}): Promise<void> {
    const version = await this.effectiveVersion(list, o);
    if (compareVersions(version, GC_STATUS_MIN) < 0) return;
    for (const plugin of list.plugins) {
      const pluginPath = await this.exec.findInPath(plugin.type, this.path);
      const req = buildRequest(plugin, { command: 'STATUS', name: list.name, cniVersion: version });
      try {
        await this.run(pluginPath, 'STATUS', req, {}, o);
      } catch (e) {
        if (e instanceof CniError) e.plugin ??= plugin.type;
        throw e;
      }
    }
  }

  // GC: DEL every cached attachment of this network that is not valid, then plugin GC.
  // The caller must keep ADD/DEL out while this runs (the spec makes GC exclusive; libcni does not lock).
  async gcNetworkList(list: NetworkConfigList, args: GCArgs | undefined, o: OpOptions = {}): Promise<void> {
    if (list.disableGC) return;
    const errors: string[] = [];
    let cached;
    try {
      cached = await this.cache.attachments();
    } catch {
      return;
    }
    const valid = new Set((args?.validAttachments ?? []).map((a) => `${a.containerID}\0${a.ifName}`));
    for (const a of cached) {
      if (a.network !== list.name || valid.has(`${a.containerID}\0${a.ifName}`)) continue;
      const rt: RuntimeConf = { containerID: a.containerID, netns: a.netns ?? '', ifName: a.ifName };
      if (a.cniArgs) rt.args = a.cniArgs;
      if (a.capabilityArgs) rt.capabilityArgs = a.capabilityArgs;
      try {
        await this.delNetworkList(list, rt, o);
      } catch (e) {
        errors.push(`failed to delete stale attachment ${a.containerID} ${a.ifName}: ${(e as Error).message}`);
      }
    }
    const version = await this.effectiveVersion(list, o);
    if (compareVersions(version, GC_STATUS_MIN) >= 0) {
      for (const plugin of list.plugins) {
        try {
          const pluginPath = await this.exec.findInPath(plugin.type, this.path);
          const req = buildRequest(plugin, { command: 'GC', name: list.name, cniVersion: version, validAttachments: args?.validAttachments });
          await this.run(pluginPath, 'GC', req, {}, o);
        } catch (e) {
          errors.push(`failed to GC plugin ${plugin.type}: ${(e as Error).message}`);
        }
      }
    }
    if (errors.length > 0) throw new NerdnetError('ERR_PLUGIN_FAILED', errors.join('\n'));
  }

  // VERSION; answers are remembered per binary.
  async getVersionInfo(type: string, o: OpOptions = {}): Promise<VersionInfo> {
    const pluginPath = await this.exec.findInPath(type, this.path);
    let key = pluginPath;
    try {
      key += `@${(await stat(pluginPath)).mtimeMs}`;
    } catch {
      // fake exec in tests: no file to stat
    }
    let answer = this.versionAnswers.get(key);
    if (!answer) {
      answer = this.queryVersion(pluginPath, o);
      this.versionAnswers.set(key, answer);
      answer.catch(() => this.versionAnswers.delete(key));
    }
    return answer;
  }

  private async queryVersion(pluginPath: string, o: OpOptions): Promise<VersionInfo> {
    const stdin = Buffer.from(JSON.stringify({ cniVersion: '1.1.0' }));
    const env = { ...pluginEnv({ command: 'VERSION', netns: 'dummy', ifName: 'dummy', path: ['dummy'] }) };
    try {
      return decodeVersionInfo(await this.exec.execPlugin(pluginPath, stdin, env, this.execOpts(o)));
    } catch (e) {
      if (e instanceof CniError && e.msg === 'unknown CNI_COMMAND: VERSION') return { cniVersion: '0.1.0', supportedVersions: ['0.1.0'] };
      throw e;
    }
  }

  // Every plugin exists and supports the list's version; returns the capabilities in use.
  async validateNetworkList(list: NetworkConfigList, o: OpOptions = {}): Promise<string[]> {
    const version = (await this.effectiveVersion(list, o)) || '0.1.0';
    const errors: string[] = [];
    const caps = new Set<string>();
    for (const plugin of list.plugins) {
      try {
        const info = await this.getVersionInfo(plugin.type, o);
        if (!info.supportedVersions.includes(version)) errors.push(`plugin ${plugin.type} does not support config version "${version}"`);
      } catch (e) {
        errors.push((e as Error).message);
      }
      for (const [k, v] of Object.entries(plugin.capabilities)) if (v) caps.add(k);
    }
    if (errors.length > 0) throw new NerdnetError('ERR_VERSION', `[${errors.join(' ')}]`);
    return [...caps];
  }
}
