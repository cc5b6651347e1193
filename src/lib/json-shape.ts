// Shape checks for JSON the OCI hook reads (the OCI state, meta.json, network-config.json), with
// messages in the format zod's prettifyError prints. Hand-written because the hook is a fresh
// process on every container start and stop, and loading zod cost it more than all its own code.

// One problem: what is wrong and where (keys from the document's root).
export interface Issue {
  message: string;
  path?: readonly string[];
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function received(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return typeof v;
}

// "Invalid input: expected string, received number".
export function typeIssue(expected: string, v: unknown): string {
  return `Invalid input: expected ${expected}, received ${received(v)}`;
}

// An integer in [min, max]: what is wrong with `v`, in the order the checks run ([] when fine).
export function intIssues(v: unknown, min: number, max = Infinity): string[] {
  if (typeof v !== 'number' || !Number.isFinite(v)) return [typeIssue('number', v)];
  if (!Number.isInteger(v)) return [typeIssue('int', v)];
  const out: string[] = [];
  if (v > Number.MAX_SAFE_INTEGER) out.push(`Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`);
  if (v < -Number.MAX_SAFE_INTEGER) out.push(`Too small: expected int to be >=-${Number.MAX_SAFE_INTEGER}`);
  if (v < min) out.push(`Too small: expected number to be >=${min}`);
  if (v > max) out.push(`Too big: expected number to be <=${max}`);
  return out;
}

function hasType(v: unknown, type: 'string' | 'object'): boolean {
  return type === 'string' ? typeof v === 'string' : isPlainObject(v);
}

// A JSON object of `valueType` values (a record), found at `path`; anything else adds to `issues`.
// A key named __proto__ is dropped: it would set the prototype of the plain object returned.
export function recordOf(v: unknown, valueType: 'string' | 'object', path: readonly string[], issues: Issue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(v)) {
    issues.push({ message: typeIssue('record', v), path });
    return out;
  }
  for (const [key, value] of Object.entries(v)) {
    if (key === '__proto__') continue;
    if (hasType(value, valueType)) out[key] = value;
    else issues.push({ message: typeIssue(valueType, value), path: [...path, key] });
  }
  return out;
}

// `a.b`, or `a["nerdctl/name"]` for keys that are not plain words.
function pathText(path: readonly string[]): string {
  let out = '';
  for (const key of path) out += /[^\w$]/.test(key) ? `[${JSON.stringify(key)}]` : `${out ? '.' : ''}${key}`;
  return out;
}

// "✖ message\n  → at path" per issue, shallowest paths first.
export function issuesText(issues: readonly Issue[]): string {
  return [...issues]
    .sort((a, b) => (a.path?.length ?? 0) - (b.path?.length ?? 0))
    .map((i) => `✖ ${i.message}${i.path?.length ? `\n  → at ${pathText(i.path)}` : ''}`)
    .join('\n');
}
