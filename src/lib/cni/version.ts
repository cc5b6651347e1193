// CNI spec versions: parsing and comparison (pkg/version), conflist version selection,
// and decoding a plugin's VERSION output or a request's cniVersion.
import { NerdnetError } from '../errors.js';
import { describeJson, isPlainObject, jsonErrorText, jsonField } from './result-types.js';

// libcni's version.All.
export const ALL_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof ALL_VERSIONS)[number];
export const CURRENT_VERSION = '1.1.0' as const satisfies CniVersion;

export interface ParsedVersion {
  major: number;
  minor: number;
  micro: number;
}

export interface PluginVersionInfo {
  cniVersion: string;
  supportedVersions: string[];
}

export type VersionInfo = PluginVersionInfo;

export function isKnownVersion(v: string): v is CniVersion {
  return (ALL_VERSIONS as readonly string[]).includes(v);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

// Go's strconv.Atoi: optional sign, ASCII digits, int64 range; error text kept verbatim.
function atoi(part: string, which: string): number {
  const q = JSON.stringify(part);
  if (!/^[+-]?[0-9]+$/.test(part)) {
    throw new NerdnetError('ERR_VERSION', `failed to convert ${which} version part ${q}: strconv.Atoi: parsing ${q}: invalid syntax`);
  }
  const n = BigInt(part);
  if (n > INT64_MAX || n < INT64_MIN) {
    throw new NerdnetError('ERR_VERSION', `failed to convert ${which} version part ${q}: strconv.Atoi: parsing ${q}: value out of range`);
  }
  return Number(n);
}

// pkg/version ParseVersion: "" = 0.1.0, at most 3 numeric dot-separated parts, missing parts are 0.
export function parseVersion(version: string): ParsedVersion {
  if (version === '') return { major: 0, minor: 1, micro: 0 };
  const parts = version.split('.');
  if (parts.length >= 4) {
    throw new NerdnetError('ERR_VERSION', `invalid version ${JSON.stringify(version)}: too many parts`);
  }
  const major = atoi(parts[0] ?? '', 'major');
  const minor = parts.length >= 2 ? atoi(parts[1] ?? '', 'minor') : 0;
  const micro = parts.length >= 3 ? atoi(parts[2] ?? '', 'micro') : 0;
  return { major, minor, micro };
}

// Numeric (major, minor, micro) comparison: -1, 0 or 1. Throws ERR_VERSION on an unparsable version.
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (const k of ['major', 'minor', 'micro'] as const) {
    if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  }
  return 0;
}

export function greaterThanOrEqual(version: string, other: string): boolean {
  return compareVersions(version, other) >= 0;
}

export function greaterThan(version: string, other: string): boolean {
  return compareVersions(version, other) > 0;
}

export function versionAtLeast(version: string, min: string): boolean {
  return greaterThanOrEqual(version, min);
}

function atMost(v: string, max: string, context: string): boolean {
  try {
    return !greaterThan(v, max);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new NerdnetError('ERR_INVALID_CONFIG', `${context}: ${msg}`, { cause: err });
  }
}

// libcni sorts with slices.SortFunc and a comparator that calls equal-valued but different strings ("1.0" vs
// "1.0.0") "less" both ways; for <= 12 entries that is this insertion sort, so ties resolve exactly as in Go.
function sortLikeLibcni(vs: string[]): void {
  const cmp = (a: string, b: string): number => (a === b ? 0 : greaterThan(a, b) ? 1 : -1);
  for (let i = 1; i < vs.length; i++) {
    for (let j = i; j > 0 && cmp(vs[j] ?? '', vs[j - 1] ?? '') < 0; j--) {
      [vs[j], vs[j - 1]] = [vs[j - 1] ?? '', vs[j] ?? ''];
    }
  }
}

/**
 * The version a conflist runs at (spec 2.2 step 4). Without `cniVersions`, `cniVersion` is used verbatim.
 * With it: entries above `max` are dropped, `cniVersion` (if set and <= max) joins them, the highest wins, and an
 * empty set keeps the raw `cniVersion`. When `pluginSupported` (each plugin's VERSION answer) is given, the highest
 * candidate every plugin supports is chosen instead; if there is none, libcni's choice is returned.
 * Errors (ERR_INVALID_CONFIG) omit libcni's "error parsing configuration list: " prefix; the conf parser adds it.
 */
export function selectConfigVersion(
  cniVersion: string | undefined,
  cniVersions: readonly string[] | undefined,
  max: string = CURRENT_VERSION,
  pluginSupported?: readonly (readonly string[])[],
): string {
  const declared = cniVersion ?? '';
  if (cniVersions === undefined) return declared;
  const candidates: string[] = [];
  cniVersions.forEach((v, i) => {
    if (atMost(v, max, `invalid cniVersions entry ${v} at index ${i}`)) candidates.push(v);
  });
  if (declared !== '' && atMost(declared, max, `invalid cniVersion ${declared}`)) candidates.push(declared);
  sortLikeLibcni(candidates);
  const libcniChoice = candidates.at(-1) ?? declared;
  if (pluginSupported === undefined) return libcniChoice;
  // Spec 1.2 lets the runtime consider plugins' VERSION answers; skel matches versions as exact strings.
  for (let i = candidates.length - 1; i >= 0; i--) {
    const c = candidates[i] ?? '';
    if (pluginSupported.every((supported) => supported.includes(c))) return c;
  }
  return libcniChoice;
}

function decodeJson(bytes: Uint8Array | string, prefix: string): unknown {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new NerdnetError('ERR_VERSION', `${prefix}: ${jsonErrorText(err)}`, { cause: err });
  }
}

function optionalString(obj: Record<string, unknown>, key: string, prefix: string): string {
  const v = jsonField(obj, key);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new NerdnetError('ERR_VERSION', `${prefix}: ${key} must be a string, got ${describeJson(v)}`);
  return v;
}

// Decode a plugin's VERSION stdout (pkg/version PluginDecoder).
export function decodeVersionInfo(bytes: Uint8Array | string): PluginVersionInfo {
  const prefix = 'decoding version info';
  const raw = decodeJson(bytes, prefix) ?? {};
  if (!isPlainObject(raw)) throw new NerdnetError('ERR_VERSION', `${prefix}: expected a JSON object, got ${describeJson(raw)}`);
  const cniVersion = optionalString(raw, 'cniVersion', prefix);
  const list = jsonField(raw, 'supportedVersions') ?? [];
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
    throw new NerdnetError('ERR_VERSION', `${prefix}: supportedVersions must be an array of strings, got ${describeJson(list)}`);
  }
  if (cniVersion === '') throw new NerdnetError('ERR_VERSION', `${prefix}: missing field cniVersion`);
  if (list.length === 0) {
    // A 0.2.0 plugin may predate supportedVersions: it speaks 0.1.0 and 0.2.0.
    if (cniVersion === '0.2.0') return { cniVersion, supportedVersions: ['0.1.0', '0.2.0'] };
    throw new NerdnetError('ERR_VERSION', `${prefix}: missing field supportedVersions`);
  }
  return { cniVersion, supportedVersions: list as string[] };
}

// What libcni reports for a plugin that answers VERSION with `unknown CNI_COMMAND: VERSION` (["0.1.0"]).
export function pluginSupports(...versions: string[]): PluginVersionInfo {
  return { cniVersion: CURRENT_VERSION, supportedVersions: versions };
}

// The cniVersion of a request config (pkg/version ConfigDecoder): absent or "" means 0.1.0.
export function decodeConfigVersion(bytes: Uint8Array | string): string {
  const prefix = 'decoding version from network config';
  let raw: unknown;
  try {
    raw = decodeJson(bytes, prefix) ?? {};
  } catch (err) {
    throw new NerdnetError('ERR_INVALID_CONFIG', (err as Error).message, { cause: err });
  }
  if (!isPlainObject(raw)) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `${prefix}: expected a JSON object, got ${describeJson(raw)}`);
  }
  const v = jsonField(raw, 'cniVersion');
  if (v === undefined || v === null || v === '') return '0.1.0';
  if (typeof v !== 'string') {
    throw new NerdnetError('ERR_INVALID_CONFIG', `${prefix}: cniVersion must be a string, got ${describeJson(v)}`);
  }
  return v;
}
