// The functions a --format template can call: Go text/template's builtins (and, or, not, len, index,
// slice, print, printf, println, eq, ne, lt, le, gt, ge) and the ones Docker and nerdctl add (json,
// join, split, title, upper, lower). and/or are evaluated lazily by the executor.
import { goMarshal } from '../../lib/network/gojson.js';
import { sprint, sprintf, sprintln } from './printf.js';
import { goType, isInt, isMap, isNil, isTrue } from './value.js';

export class FuncError extends Error {}

interface Func {
  min: number;
  max: number;
  call(args: unknown[]): unknown;
}

const fail = (msg: string): never => {
  throw new FuncError(msg);
};

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  return fail(isNil(v) ? 'invalid value; expected string' : `wrong type for value; expected string; got ${goType(v)}`);
}

// A JSON array standing for a Go []string, as Docker's join takes.
function strings(v: unknown): string[] {
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return fail(isNil(v) ? 'invalid value; expected []string' : `wrong type for value; expected []string; got ${goType(v)}`);
}

// Go maps case rune by rune (Unicode's simple mappings): "ß" stays "ß" where JS writes "SS".
function caseRune(c: string, upper: boolean): string {
  const m = upper ? c.toUpperCase() : c.toLowerCase();
  const cps = [...m];
  if (cps.length === 1) return m;
  return upper ? c : (cps[0] ?? c);
}
const upper = (s: string): string => [...s].map((c) => caseRune(c, true)).join('');
const lower = (s: string): string => [...s].map((c) => caseRune(c, false)).join('');

// unicode.ToTitle differs from ToUpper for the Latin digraphs: dž -> Dž, not DŽ.
const DIGRAPH_TITLE: Record<string, string> = { Ǆ: 'ǅ', ǅ: 'ǅ', ǆ: 'ǅ', Ǉ: 'ǈ', ǈ: 'ǈ', ǉ: 'ǈ', Ǌ: 'ǋ', ǋ: 'ǋ', ǌ: 'ǋ', Ǳ: 'ǲ', ǲ: 'ǲ', ǳ: 'ǲ' };

// strings.Title: the first letter of each word title-cased; a word starts after a space or an ASCII
// punctuation character.
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const c of s) {
    const sep = /[\p{L}\p{Nd}_]/u.test(prev) ? false : prev.charCodeAt(0) < 0x80 || /\s/u.test(prev);
    out += sep ? (DIGRAPH_TITLE[c] ?? caseRune(c, true)) : c;
    prev = c;
  }
  return out;
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other';

function kind(v: unknown): Kind {
  if (isNil(v)) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isInt(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

// Go's eq: basic values of one kind compare by value; nil equals only nil; maps and slices do not compare.
function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) fail('missing argument for comparison');
  const ka = kind(a);
  return rest.some((b) => {
    const kb = kind(b);
    if (ka !== kb) return ka === 'nil' || kb === 'nil' ? false : fail('incompatible types for comparison');
    if (ka === 'other') return fail(`non-comparable type ${goType(a)}`);
    return ka === 'nil' || a === b;
  });
}

function compare(a: unknown, b: unknown): number {
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'bool' || ka === 'nil' || ka === 'other' || kb === 'bool' || kb === 'nil' || kb === 'other') fail('invalid type for comparison');
  if (ka !== kb) fail('incompatible types for comparison');
  return (a as number | string) < (b as number | string) ? -1 : a === b ? 0 : 1;
}

// index and slice positions: ints within bounds.
function position(v: unknown, len: number, cap = len): number {
  if (!isInt(v)) return fail(`cannot index slice/array with type ${goType(v)}`);
  if (v < 0 || v > cap) return fail(`index out of range: ${v}`);
  return v;
}

function index(item: unknown, ...keys: unknown[]): unknown {
  if (isNil(item)) fail('index of untyped nil');
  let cur = item;
  for (const k of keys) {
    if (isNil(cur)) return fail('index of nil pointer');
    if (typeof cur === 'string' || Array.isArray(cur)) {
      const n = typeof cur === 'string' ? Buffer.byteLength(cur) : cur.length;
      const i = position(k, n);
      if (i === n) fail(`index out of range: ${i}`);
      cur = typeof cur === 'string' ? Buffer.from(cur)[i] : cur[i];
    } else if (isMap(cur)) {
      if (typeof k !== 'string') return fail(isNil(k) ? 'value is nil; should be of type string' : `value has type ${goType(k)}; should be string`);
      cur = Object.hasOwn(cur, k) ? cur[k] : null;
    } else return fail(`can't index item of type ${goType(cur)}`);
  }
  return cur;
}

function slice(item: unknown, ...idx: unknown[]): unknown {
  if (isNil(item)) fail('slice of untyped nil');
  if (idx.length > 3) fail(`too many slice indexes: ${idx.length}`);
  if (typeof item === 'string') {
    if (idx.length === 3) fail('cannot 3-index slice a string');
    const b = Buffer.from(item);
    const i = idx.length > 0 ? position(idx[0], b.length) : 0;
    const j = idx.length > 1 ? position(idx[1], b.length) : b.length;
    if (i > j) fail(`invalid slice index: ${i} > ${j}`);
    return b.subarray(i, j).toString('utf8');
  }
  if (!Array.isArray(item)) return fail(`can't slice item of type ${goType(item)}`);
  const i = idx.length > 0 ? position(idx[0], item.length) : 0;
  const j = idx.length > 1 ? position(idx[1], item.length) : item.length;
  if (i > j) fail(`invalid slice index: ${i} > ${j}`);
  return item.slice(i, j);
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  return fail(isNil(v) ? 'len of nil pointer' : `len of type ${goType(v)}`);
}

const f = (min: number, max: number, call: (args: unknown[]) => unknown): Func => ({ min, max, call });
const INF = Number.POSITIVE_INFINITY;

export const FUNCS: Readonly<Record<string, Func>> = {
  // and/or: placeholders for the arity check; the executor short-circuits them.
  and: f(1, INF, (a) => a.find((x) => !isTrue(x)) ?? a.at(-1)),
  or: f(1, INF, (a) => a.find((x) => isTrue(x)) ?? a.at(-1)),
  not: f(1, 1, ([a]) => !isTrue(a)),
  len: f(1, 1, ([a]) => length(a)),
  index: f(1, INF, ([a, ...k]) => index(a, ...k)),
  slice: f(1, INF, ([a, ...k]) => slice(a, ...k)),
  print: f(0, INF, (a) => sprint(a)),
  println: f(0, INF, (a) => sprintln(a)),
  printf: f(1, INF, ([fmt, ...a]) => sprintf(str(fmt), a)),
  eq: f(1, INF, ([a, ...b]) => eq(a, ...b)),
  ne: f(2, 2, ([a, b]) => !eq(a, b)),
  lt: f(2, 2, ([a, b]) => compare(a, b) < 0),
  le: f(2, 2, ([a, b]) => compare(a, b) <= 0),
  gt: f(2, 2, ([a, b]) => compare(a, b) > 0),
  ge: f(2, 2, ([a, b]) => compare(a, b) >= 0),
  // nerdctl's json: encoding/json.Marshal, HTML-escaped.
  json: f(1, 1, ([a]) => goMarshal(a === undefined ? null : a)),
  join: f(2, 2, ([a, sep]) => strings(a).join(str(sep))),
  split: f(2, 2, ([s, sep]) => (str(sep) === '' ? [...str(s)] : str(s).split(str(sep)))),
  title: f(1, 1, ([s]) => title(str(s))),
  upper: f(1, 1, ([s]) => upper(str(s))),
  lower: f(1, 1, ([s]) => lower(str(s))),
};

export const FUNC_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCS));
