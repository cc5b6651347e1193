// JSON-shaped data as Go's text/template sees map[string]interface{}: objects are maps, arrays are
// []interface{}, integral numbers are int and the others float64, null and a missing key are nil.
import { goKeyCompare } from '../../lib/network/gojson.js';

export type GoMap = Record<string, unknown>;

export const isMap = (v: unknown): v is GoMap => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNil = (v: unknown): v is null | undefined => v === null || v === undefined;
export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

// Go's reflect type name, as fmt prints it in %T and in bad-verb notes.
export function goType(v: unknown): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

// Go's map iteration for printing and range: keys in byte order.
export function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort(goKeyCompare);
}

// text/template's truth: false, 0, "", empty slice or map, and nil are false.
export function isTrue(v: unknown): boolean {
  if (isNil(v)) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

// Digits and decimal exponent of the shortest representation that reads back as x (x > 0).
export function shortestDigits(x: number): { digits: string; exp: number } {
  const [m = '', e = '0'] = x.toExponential().split('e');
  return { digits: m.replace('.', ''), exp: Number(e) };
}

// x >= 0 exactly as digits / 10^scale (every double is a finite decimal).
function exact(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = expBits === 0 ? frac : frac | (1n << 52n);
  const e = expBits === 0 ? -1074 : expBits - 1075;
  return e >= 0 ? { digits: mant << BigInt(e), scale: 0 } : { digits: mant * 5n ** BigInt(-e), scale: -e };
}

// Drop `drop` decimal digits of d, rounding half to even as strconv does.
function roundOff(d: bigint, drop: number): bigint {
  if (drop <= 0) return d * 10n ** BigInt(-drop);
  const p = 10n ** BigInt(drop);
  const q = d / p;
  const r = d % p;
  return r * 2n > p || (r * 2n === p && q % 2n === 1n) ? q + 1n : q;
}

/** Go's %.Nf of x >= 0 (JS toFixed rounds ties away from zero; Go rounds the exact value half to even). */
export function fixedDigits(x: number, prec: number): string {
  const { digits, scale } = exact(x);
  const s = roundOff(digits, scale - prec).toString().padStart(prec + 1, '0');
  return prec === 0 ? s : `${s.slice(0, -prec)}.${s.slice(-prec)}`;
}

/** The first n significant digits of x > 0, rounded half to even, and the decimal exponent of the first. */
export function significantDigits(x: number, n: number): { digits: string; exp: number } {
  const { digits, scale } = exact(x);
  const len = digits.toString().length;
  let d = roundOff(digits, len - n).toString();
  let exp = len - 1 - scale;
  if (d.length > n) {
    d = d.slice(0, n);
    exp++;
  }
  return { digits: d, exp };
}

// strconv.FormatFloat(x, 'e', prec, 64) once the digits are chosen: d.ddde±XX.
export function eForm(digits: string, exp: number, upper = false): string {
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${mant}${upper ? 'E' : 'e'}${e}`;
}

// Go's %v of a float64: shortest digits, exponent form below 1e-4 and from 1e6 (strconv 'g', -1).
export function formatFloatV(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf';
  const { digits, exp } = shortestDigits(Math.abs(x));
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) return sign + eForm(digits, exp);
  return String(x);
}
