// Go's fmt for the values a template sees: Sprint, Sprintln, Sprintf with the verbs v s d q t x X o
// b c U e E f F g G T, flags "+- #0", width and precision, and fmt's %!verb(type=value) notes.
import { eForm, fixedDigits, formatFloatV, goType, isInt, isMap, isNil, significantDigits, sortedKeys } from './value.js';

interface Spec {
  verb: string;
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const PLAIN: Spec = { verb: 'v', plus: false, minus: false, sharp: false, space: false, zero: false };

// fmt's padding to the width: spaces, or zeros with the 0 flag (after the sign for numbers).
function pad(s: string, f: Spec, signed = false): string {
  const n = (f.width ?? 0) - [...s].length;
  if (n <= 0) return s;
  if (f.minus) return s + ' '.repeat(n);
  if (!f.zero) return ' '.repeat(n) + s;
  const sign = signed && /^[+\- ]/.test(s) ? (s[0] ?? '') : '';
  return sign + '0'.repeat(n) + s.slice(sign.length);
}

// strconv.Quote (ASCII-only with +): printable runes as they are, the rest escaped.
export function goQuote(s: string, ascii = false, q = '"'): string {
  const esc: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  let out = q;
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    if (c === q || c === '\\') out += `\\${c}`;
    else if (cp < 0x80 ? cp >= 0x20 && cp < 0x7f : !ascii && /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(c)) out += c;
    else if (esc[c]) out += esc[c];
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp < 0xe000) out += '\\ufffd';
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + q;
}

// fmt prints the operand of a wrong verb with %v and the verb's flags, width and precision.
function badVerb(v: unknown, f: Spec): string {
  return isNil(v) ? `%!${f.verb}(<nil>)` : `%!${f.verb}(${goType(v)}=${formatValue(v, { ...f, verb: 'v', sharp: false })})`;
}

function fmtInt(n: number, f: Spec): string {
  const neg = n < 0;
  const abs = Math.abs(n);
  const base: Record<string, number> = { d: 10, v: 10, b: 2, o: 8, O: 8, x: 16, X: 16 };
  if (f.verb === 'c') return pad(String.fromCodePoint(abs), f);
  if (f.verb === 'q') return pad(goQuote(String.fromCodePoint(abs), f.plus, "'"), f);
  if (f.verb === 'U') return pad(`U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, f);
  const b = base[f.verb];
  if (b === undefined) return badVerb(n, f);
  let digits = abs.toString(b);
  if (f.verb === 'X') digits = digits.toUpperCase();
  if (f.prec !== undefined) digits = f.prec === 0 && abs === 0 ? '' : digits.padStart(f.prec, '0');
  const prefix = f.verb === 'O' ? '0o' : f.sharp ? ({ b: '0b', o: '0', x: '0x', X: '0X' } as Record<string, string>)[f.verb] ?? '' : '';
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  // Go zero-pads the digits to the width (less the sign), then adds the prefix.
  if (f.zero && f.prec === undefined && f.width !== undefined) digits = digits.padStart(f.width - sign.length, '0');
  return pad(sign + (prefix === '0' && digits.startsWith('0') ? '' : prefix) + digits, { ...f, zero: false });
}

function fmtFloat(x: number, f: Spec): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  const a = Math.abs(x);
  let body: string;
  switch (f.verb) {
    case 'v':
      body = formatFloatV(a);
      break;
    case 'f':
    case 'F':
      body = fixedDigits(a, f.prec ?? 6);
      break;
    case 'e':
    case 'E': {
      const { digits, exp } = a === 0 ? { digits: '0'.repeat((f.prec ?? 6) + 1), exp: 0 } : significantDigits(a, (f.prec ?? 6) + 1);
      body = eForm(digits, exp, f.verb === 'E');
      break;
    }
    case 'g':
    case 'G': {
      if (f.prec === undefined) body = formatFloatV(a);
      else if (a === 0) body = '0';
      else {
        const p = Math.max(1, f.prec);
        const r = significantDigits(a, p);
        const digits = r.digits.replace(/(?<=.)0+$/, '');
        const exp = r.exp;
        if (exp < -4 || exp >= p) body = eForm(digits, exp);
        else if (exp < 0) body = `0.${'0'.repeat(-exp - 1)}${digits}`;
        else body = digits.length > exp + 1 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : digits.padEnd(exp + 1, '0');
      }
      if (f.verb === 'G') body = body.toUpperCase();
      break;
    }
    default:
      return badVerb(x, f);
  }
  return pad(sign + body, f, true);
}

function fmtString(s: string, f: Spec): string {
  const runes = [...s];
  const cut = f.prec !== undefined && f.verb !== 'x' && f.verb !== 'X' ? runes.slice(0, f.prec).join('') : s;
  switch (f.verb) {
    case 'v':
      return pad(f.sharp ? goQuote(cut) : cut, f);
    case 's':
      return pad(cut, f);
    case 'q':
      return pad(f.sharp && !/[`\x00-\x08\x0a-\x1f\x7f\ufeff]/.test(cut) ? `\`${cut}\`` : goQuote(cut, f.plus), f);
    case 'x':
    case 'X': {
      let bytes = [...Buffer.from(s)];
      if (f.prec !== undefined) bytes = bytes.slice(0, f.prec);
      const hex = bytes.map((b) => {
        const h = b.toString(16).padStart(2, '0');
        return f.verb === 'X' ? h.toUpperCase() : h;
      });
      const pre = f.sharp ? (f.verb === 'X' ? '0X' : '0x') : '';
      return pad(f.space ? hex.map((h) => pre + h).join(' ') : pre + hex.join(''), f);
    }
    default:
      return badVerb(s, f);
  }
}

// Go syntax (%#v) of a value held in an interface{}.
function goSyntax(v: unknown): string {
  if (isNil(v)) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return isInt(v) ? String(v) : formatFloatV(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  const m = v as Record<string, unknown>;
  return `map[string]interface {}{${sortedKeys(m).map((k) => `${goQuote(k)}:${goSyntax(m[k])}`).join(', ')}}`;
}

// One operand under one verb; slices and maps apply the verb to each element (and key), as fmt does.
export function formatValue(v: unknown, f: Spec, depth = 0): string {
  if (f.verb === 'T') return pad(goType(v), f);
  if (f.verb === 'v' && f.sharp) return depth === 0 && isNil(v) ? '<nil>' : goSyntax(v);
  if (isNil(v)) return depth > 0 || f.verb === 'v' ? pad('<nil>', f) : badVerb(v, f);
  if (typeof v === 'boolean') return f.verb === 't' || f.verb === 'v' ? pad(String(v), f) : badVerb(v, f);
  if (typeof v === 'number') return isInt(v) ? fmtInt(v, f) : fmtFloat(v, f);
  if (typeof v === 'string') return fmtString(v, f);
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, f, depth + 1)).join(' ')}]`;
  if (isMap(v)) return `map[${sortedKeys(v).map((k) => `${formatValue(k, f, depth + 1)}:${formatValue(v[k], f, depth + 1)}`).join(' ')}]`;
  return badVerb(v, f);
}

/** fmt.Sprint: %v of each operand, a space between two operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  return args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatValue(a, PLAIN)).join('');
}

/** fmt.Sprintln: operands separated by spaces, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatValue(a, PLAIN)).join(' ')}\n`;
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([+\- #0]*)(\*|\d+)?(?:\.(\*|\d*))?(.)?/gsu;
  let last = 0;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', width, prec, verb] = m;
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%' && flags === '' && width === undefined && prec === undefined) {
      out += '%';
      continue;
    }
    const f: Spec = { verb, plus: flags.includes('+'), minus: flags.includes('-'), sharp: flags.includes('#'), space: flags.includes(' '), zero: flags.includes('0') && !flags.includes('-') };
    const star = (): number | undefined => {
      const a = args[argi++];
      return isInt(a) ? a : undefined;
    };
    if (width !== undefined) {
      const w = width === '*' ? star() : Number(width);
      if (w === undefined) out += '%!(BADWIDTH)';
      else if (w < 0) Object.assign(f, { minus: true, zero: false, width: -w });
      else f.width = w;
    }
    if (prec !== undefined) {
      const p = prec === '*' ? star() : Number(prec || '0');
      if (p === undefined || p < 0) out += '%!(BADPREC)';
      else f.prec = p;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatValue(args[argi++], f);
  }
  out += format.slice(last);
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => (isNil(a) ? '<nil>' : `${goType(a)}=${formatValue(a, PLAIN)}`)).join(', ')})`;
  return out;
}
