// Tokens of a Go text/template: text between actions, and the items inside {{ }}, with Go's
// trim markers ("{{- " and " -}}") applied to the neighbouring text and comments dropped.
import { templateError } from './errors.js';

export type TokenType =
  | 'text'
  | 'left'
  | 'right'
  | 'space'
  | 'ident'
  | 'keyword'
  | 'field'
  | 'var'
  | 'dot'
  | 'string'
  | 'number'
  | 'char'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

export interface Token {
  type: TokenType;
  pos: number;
  text: string;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const SPACE = /[ \t\r\n]/;
const ALNUM = /[\p{L}\p{Nd}_]/u;
// Go's atTerminator: what may follow a field, variable, identifier or number.
const TERMINATOR = /[ \t\r\n.,|:()]/;

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let trimNext = false;
  const text = (from: number, to: number, trimEnd: boolean): void => {
    let s = src.slice(from, to);
    if (trimNext) s = s.replace(/^[ \t\r\n]+/, '');
    if (trimEnd) s = s.replace(/[ \t\r\n]+$/, '');
    trimNext = false;
    if (s !== '') out.push({ type: 'text', pos: from, text: s });
  };
  while (pos <= src.length) {
    const open = src.indexOf('{{', pos);
    if (open < 0) {
      text(pos, src.length, false);
      break;
    }
    const trimLeft = src[open + 2] === '-' && SPACE.test(src[open + 3] ?? '');
    text(pos, open, trimLeft);
    let p = open + 2 + (trimLeft ? 2 : 0);
    // A comment is a whole action: {{/* ... */}} or {{- /* ... */ -}}.
    if (src.startsWith('/*', p)) {
      const close = src.indexOf('*/', p + 2);
      if (close < 0) throw templateError(src, open, 'unclosed comment');
      p = close + 2;
      if (SPACE.test(src[p] ?? '') && src.startsWith('-}}', p + 1)) {
        trimNext = true;
        pos = p + 4;
      } else if (src.startsWith('}}', p)) pos = p + 2;
      else throw templateError(src, open, 'comment ends before closing delimiter');
      continue;
    }
    out.push({ type: 'left', pos: open, text: '{{' });
    pos = lexAction(src, p, out, open);
    trimNext = out.at(-1)?.text.length === 4;
  }
  out.push({ type: 'eof', pos: src.length, text: '' });
  return out;
}

// Items up to and including the closing delimiter; returns the position after it.
function lexAction(src: string, p: number, out: Token[], open: number): number {
  let parens = 0;
  const push = (type: TokenType, from: number, to: number): void => void out.push({ type, pos: from, text: src.slice(from, to) });
  const word = (from: number): number => {
    let q = from;
    while (q < src.length && ALNUM.test(src[q] ?? '')) q++;
    return q;
  };
  const terminated = (q: number, what: string, from: number): void => {
    const c = src[q];
    if (c !== undefined && !TERMINATOR.test(c) && !src.startsWith('}}', q)) throw templateError(src, from, `bad character ${JSON.stringify(c)} after ${what} ${JSON.stringify(src.slice(from, q))}`);
  };
  for (;;) {
    if (p >= src.length) throw templateError(src, open, 'unclosed action: missing "}}"');
    const c = src[p] ?? '';
    if (src.startsWith('}}', p)) {
      if (parens > 0) throw templateError(src, p, 'unclosed left paren');
      push('right', p, p + 2);
      return p + 2;
    }
    if (SPACE.test(c)) {
      if (src.startsWith('-}}', p + 1)) {
        if (parens > 0) throw templateError(src, p, 'unclosed left paren');
        push('right', p, p + 4);
        return p + 4;
      }
      let q = p;
      while (q < src.length && SPACE.test(src[q] ?? '') && !src.startsWith('-}}', q + 1)) q++;
      if (q === p) q++;
      push('space', p, q);
      p = q;
    } else if (c === '|') push('pipe', p, ++p);
    else if (c === '(') {
      parens++;
      push('lparen', p, ++p);
    }
    else if (c === ')') {
      if (--parens < 0) throw templateError(src, p, 'unexpected right paren');
      push('rparen', p, ++p);
    } else if (c === ',') push('comma', p, ++p);
    else if (c === '=') push('assign', p, ++p);
    else if (c === ':') {
      if (src[p + 1] !== '=') throw templateError(src, p, 'expected :=');
      push('declare', p, (p += 2));
    } else if (c === '"' || c === '`' || c === "'") {
      const q = quoted(src, p, c);
      push(c === "'" ? 'char' : 'string', p, q);
      p = q;
    } else if (c === '$') {
      const q = word(p + 1);
      terminated(q, 'variable', p);
      push('var', p, q);
      p = q;
    } else if (c === '.' && !/[0-9]/.test(src[p + 1] ?? '')) {
      const q = word(p + 1);
      if (q === p + 1) {
        terminated(q, 'dot', p);
        push('dot', p, q);
      } else {
        terminated(q, 'field', p);
        push('field', p, q);
      }
      p = q;
    } else if (/[0-9.+-]/.test(c)) {
      const m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)/.exec(src.slice(p));
      const q = p + (m?.[0].length ?? 0);
      if (q === p || /^[+-]?$/.test(src.slice(p, q)) || ALNUM.test(src[q] ?? '') || src[q] === '.') throw templateError(src, p, `bad number syntax: ${JSON.stringify(src.slice(p, Math.max(word(q), q + 1)))}`);
      push('number', p, q);
      p = q;
    } else if (ALNUM.test(c)) {
      const q = word(p);
      terminated(q, 'identifier', p);
      const w = src.slice(p, q);
      push(KEYWORDS.has(w) ? 'keyword' : w === 'true' || w === 'false' ? 'bool' : w === 'nil' ? 'nil' : 'ident', p, q);
      p = q;
    } else throw templateError(src, p, `unrecognized character in action: ${JSON.stringify(c)}`);
  }
}

// The end of a "string", `raw string` or 'c' starting at p.
function quoted(src: string, p: number, quote: string): number {
  let q = p + 1;
  while (q < src.length && src[q] !== quote) {
    if (quote !== '`' && src[q] === '\\') q++;
    if (quote !== '`' && src[q] === '\n') break;
    q++;
  }
  if (q >= src.length || src[q] !== quote) throw templateError(src, p, quote === '`' ? 'unterminated raw quoted string' : quote === "'" ? 'unterminated character constant' : 'unterminated quoted string');
  return q + 1;
}
