// Network configuration parsing exactly as libcni does it: conflists, legacy single
// plugin configs up-converted to lists, cniVersions selection. Plugin objects stay generic JSON so
// unknown keys survive untouched.
import { NerdnetError } from '../errors.js';
import { selectConfigVersion } from './version.js';

export type JsonObject = Record<string, unknown>;

export interface PluginConf {
  type: string;
  // Capability names the plugin declares `true` for.
  capabilities: Record<string, boolean>;
  // The plugin object as configured.
  raw: JsonObject;
}

export interface NetworkConfigList {
  name: string;
  // The selected version, '' when none was given.
  cniVersion: string;
  // What the file declared, kept for later negotiation with the plugins' VERSION answers.
  declaredVersion: string;
  declaredVersions: string[] | undefined;
  disableCheck: boolean;
  disableGC: boolean;
  loadOnlyInlinedPlugins: boolean;
  plugins: PluginConf[];
  // The bytes that go into the result cache: the file's, or the generated list for a legacy conf.
  bytes: Buffer;
  // Where it was loaded from, for error messages.
  source?: string;
}

function fail(source: string | undefined, message: string): never {
  throw new NerdnetError('ERR_INVALID_CONFIG', source ? `${source}: ${message}` : message);
}

function parseObject(bytes: Uint8Array, what: string, source?: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    fail(source, `error parsing ${what}: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(source, `error parsing ${what}: expected a JSON object`);
  }
  return value as JsonObject;
}

// libcni accepts these as JSON booleans or as the strings "true"/"false" in any case.
function parseBool(obj: JsonObject, key: string, source?: string): boolean {
  const v = obj[key];
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return fail(source, `error parsing configuration list: invalid ${key} type ${JSON.stringify(v)}: use true or false`);
}

// A plugin object: needs a non-empty string `type`.
export function pluginConfFromObject(raw: JsonObject, source?: string, index?: number): PluginConf {
  const where = index === undefined ? '' : `failed to parse plugin config ${index}: `;
  if (typeof raw.type !== 'string' || raw.type === '') fail(source, `${where}error parsing configuration: missing 'type'`);
  const capabilities: Record<string, boolean> = {};
  const caps = raw.capabilities;
  if (caps !== undefined) {
    if (typeof caps !== 'object' || caps === null || Array.isArray(caps)) {
      fail(source, `${where}error parsing configuration: 'capabilities' must be an object of name: true|false`);
    }
    for (const [k, v] of Object.entries(caps as JsonObject)) {
      if (typeof v !== 'boolean') fail(source, `${where}error parsing configuration: capability ${JSON.stringify(k)} must be true or false, got ${JSON.stringify(v)}`);
      capabilities[k] = v;
    }
  }
  return { type: raw.type, capabilities, raw };
}

// A legacy single-plugin config (`.conf`/`.json`).
export function confFromBytes(bytes: Uint8Array, source?: string): PluginConf {
  return pluginConfFromObject(parseObject(bytes, 'configuration', source), source);
}

function optionalString(obj: JsonObject, key: string, source?: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(source, `error parsing configuration list: invalid ${key} type ${typeof v}`);
  return v;
}

export function confListFromBytes(bytes: Uint8Array, source?: string): NetworkConfigList {
  const obj = parseObject(bytes, 'configuration list', source);
  if (obj.name === undefined) fail(source, 'error parsing configuration list: no name');
  if (typeof obj.name !== 'string') fail(source, `error parsing configuration list: invalid name type ${typeof obj.name}`);
  const declaredVersion = optionalString(obj, 'cniVersion', source) ?? '';
  let declaredVersions: string[] | undefined;
  if (obj.cniVersions !== undefined) {
    if (!Array.isArray(obj.cniVersions) || obj.cniVersions.some((v) => typeof v !== 'string')) {
      fail(source, 'error parsing configuration list: cniVersions must be an array of strings');
    }
    declaredVersions = obj.cniVersions as string[];
  }
  let cniVersion: string;
  try {
    cniVersion = selectConfigVersion(declaredVersion, declaredVersions);
  } catch (e) {
    fail(source, `error parsing configuration list: ${(e as Error).message}`);
  }
  const loadOnlyInlinedPlugins = parseBool(obj, 'loadOnlyInlinedPlugins', source);
  const plugins: PluginConf[] = [];
  if (obj.plugins === undefined) {
    if (loadOnlyInlinedPlugins) fail(source, 'error parsing configuration list: loadOnlyInlinedPlugins is true but no plugins are given');
  } else {
    if (!Array.isArray(obj.plugins)) fail(source, `error parsing configuration list: invalid 'plugins' type ${typeof obj.plugins}`);
    if (obj.plugins.length === 0) fail(source, 'error parsing configuration list: no plugins in list');
    obj.plugins.forEach((p: unknown, i) => {
      if (typeof p !== 'object' || p === null || Array.isArray(p)) {
        fail(source, `failed to parse plugin config ${i}: error parsing configuration: expected a JSON object`);
      }
      plugins.push(pluginConfFromObject(p as JsonObject, source, i));
    });
  }
  const list: NetworkConfigList = {
    name: obj.name,
    cniVersion,
    declaredVersion,
    declaredVersions,
    disableCheck: parseBool(obj, 'disableCheck', source),
    disableGC: parseBool(obj, 'disableGC', source),
    loadOnlyInlinedPlugins,
    plugins,
    bytes: Buffer.from(bytes),
  };
  if (source !== undefined) list.source = source;
  return list;
}

// Up-convert a legacy single-plugin config: the plugin keeps its own name/cniVersion.
export function confListFromConf(conf: PluginConf, source?: string): NetworkConfigList {
  const name = typeof conf.raw.name === 'string' ? conf.raw.name : '';
  const cniVersion = typeof conf.raw.cniVersion === 'string' ? conf.raw.cniVersion : '';
  const bytes = Buffer.from(JSON.stringify({ cniVersion, name, plugins: [conf.raw] }));
  return { ...confListFromBytes(bytes, source), bytes };
}

// Set keys on a plugin object (libcni InjectConf): empty keys and null values are refused.
export function injectConf(conf: PluginConf, values: JsonObject): PluginConf {
  const raw: JsonObject = { ...conf.raw };
  for (const [k, v] of Object.entries(values)) {
    if (k === '') throw new NerdnetError('ERR_INVALID_ARG', 'keys cannot be empty');
    if (v === null || v === undefined) throw new NerdnetError('ERR_INVALID_ARG', `key '${k}' value must not be nil`);
    raw[k] = v;
  }
  return pluginConfFromObject(raw);
}
