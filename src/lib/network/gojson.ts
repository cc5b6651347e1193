// JSON bytes as Go's encoding/json writes them, so conflists match nerdctl's byte for byte.

// Go escapes <, >, & and the JS line separators in strings by default (HTMLEscape).
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Go sorts map keys by their UTF-8 bytes.
export function goKeyCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A JSON object whose keys keep the given order even when they look like integers (JS objects reorder those). */
export type OrderedObject = Map<string, unknown>;

function encode(value: unknown, indent: string, depth: number): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  const nl = indent === '' ? '' : `\n${indent.repeat(depth + 1)}`;
  const close = indent === '' ? '' : `\n${indent.repeat(depth)}`;
  const colon = indent === '' ? ':' : ': ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((v) => `${nl}${encode(v, indent, depth + 1) ?? 'null'}`).join(',')}${close}]`;
  }
  const entries = value instanceof Map ? [...(value as OrderedObject).entries()] : Object.entries(value as Record<string, unknown>);
  const parts: string[] = [];
  for (const [k, v] of entries) {
    const enc = encode(v, indent, depth + 1);
    if (enc !== undefined) parts.push(`${nl}${goString(k)}${colon}${enc}`);
  }
  return parts.length === 0 ? '{}' : `{${parts.join(',')}${close}}`;
}

// json.MarshalIndent(v, "", indent): key order as built, Go's escaping, no trailing newline.
export function goMarshalIndent(value: unknown, indent = '  '): string {
  return encode(value, indent, 0) ?? 'null';
}

// json.Marshal(v): compact, Go's escaping.
export function goMarshal(value: unknown): string {
  return encode(value, '', 0) ?? 'null';
}

// A Go map after a round trip through map[string]interface{}: every object's keys sorted
// bytewise (nerdctl converts IPAM to a map before writing it).
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value instanceof Map || (typeof value === 'object' && value !== null)) {
    const entries = value instanceof Map ? [...(value as OrderedObject).entries()] : Object.entries(value as Record<string, unknown>);
    entries.sort(([a], [b]) => goKeyCompare(a, b));
    return new Map(entries.map(([k, v]) => [k, sortKeysDeep(v)]));
  }
  return value;
}
