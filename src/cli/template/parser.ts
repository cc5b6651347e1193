// Go text/template's parse tree, built from lex()'s tokens with the checks Go makes at parse time:
// undefined variables and functions, misplaced else/end/break/continue, non-executable pipeline stages.
import { templateError } from './errors.js';
import { lex, type Token } from './lexer.js';

export type Arg =
  | { t: 'field'; pos: number; end: number; names: string[] }
  | { t: 'var'; pos: number; end: number; name: string; names: string[] }
  | { t: 'dot'; pos: number; end: number }
  | { t: 'ident'; pos: number; end: number; name: string }
  | { t: 'chain'; pos: number; end: number; node: Arg; names: string[] }
  | { t: 'pipe'; pos: number; end: number; pipe: Pipe }
  | { t: 'string'; pos: number; end: number; value: string }
  | { t: 'number'; pos: number; end: number; value: number }
  | { t: 'bool'; pos: number; end: number; value: boolean }
  | { t: 'nil'; pos: number; end: number };

export interface Command {
  pos: number;
  end: number;
  args: Arg[];
}

export interface Pipe {
  pos: number;
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

export interface ControlNode {
  t: 'if' | 'with' | 'range';
  pos: number;
  pipe: Pipe;
  list: Node[];
  else?: Node[];
}

export type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pos: number; pipe: Pipe }
  | ControlNode
  | { t: 'break' | 'continue'; pos: number };

// Go's string and character escapes (strconv.Unquote).
function unquote(src: string, tok: Token): string {
  const body = tok.text.slice(1, -1);
  if (tok.text.startsWith('`')) return body.replace(/\r/g, '');
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
  let bytes: number[] = [];
  let out = '';
  const flush = (): void => {
    if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      flush();
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    const hex = (n: number): number => {
      const h = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw templateError(src, tok.pos, `invalid escape \\${e} in ${tok.text}`);
      i += n;
      return parseInt(h, 16);
    };
    if (e in simple) {
      flush();
      out += simple[e];
    }
    else if (e === 'x') bytes.push(hex(2));
    else if (/[0-7]/.test(e) && /^[0-7]{2}$/.test(body.slice(i + 1, i + 3))) {
      bytes.push(parseInt(body.slice(i, i + 3), 8) & 0xff);
      i += 2;
    } else if (e === 'u' || e === 'U') {
      flush();
      const cp = hex(e === 'u' ? 4 : 8);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw templateError(src, tok.pos, `invalid escape in ${tok.text}`);
      out += String.fromCodePoint(cp);
    } else throw templateError(src, tok.pos, `invalid escape \\${e} in ${tok.text}`);
  }
  flush();
  return out;
}

function number(src: string, tok: Token): number {
  const t = tok.text.replace(/_/g, '');
  const sign = t.startsWith('-') ? -1 : 1;
  const u = t.replace(/^[+-]/, '');
  const n = /^0[xXoObB]/.test(u) ? Number(u.toLowerCase()) : /^0[0-7]+$/.test(u) ? parseInt(u, 8) : Number(u);
  if (!Number.isFinite(n)) throw templateError(src, tok.pos, `bad number syntax: ${JSON.stringify(tok.text)}`);
  return sign * n;
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
    private readonly funcs: ReadonlySet<string>,
  ) {}

  private peek(): Token {
    return this.toks[this.i] ?? { type: 'eof', pos: this.src.length, text: '' };
  }
  private next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }
  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }
  private fail(pos: number, what: string): never {
    throw templateError(this.src, pos, what);
  }
  private unexpected(t: Token, context: string): never {
    const shown = t.type === 'eof' ? 'end of template' : t.type === 'right' ? '"}}"' : JSON.stringify(t.text);
    this.fail(t.pos, `unexpected ${shown} in ${context}`);
  }
  private expectRight(context: string): void {
    const t = this.nextNonSpace();
    if (t.type !== 'right') this.unexpected(t, context);
  }

  // Nodes up to EOF (top level) or to the {{end}}/{{else}} that closes `context`.
  parseList(context: { name: string; pos: number } | undefined): { list: Node[]; stop: 'end' | 'else' | 'eof'; stopPos: number } {
    const list: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.type === 'eof') {
        if (context) this.fail(context.pos, `missing {{end}} for {{${context.name}}}`);
        return { list, stop: 'eof', stopPos: t.pos };
      }
      if (t.type === 'text') {
        list.push({ t: 'text', text: t.text });
        continue;
      }
      // t is a left delimiter.
      const k = this.peekNonSpace();
      if (k.type === 'keyword') {
        this.nextNonSpace();
        if (k.text === 'end' || k.text === 'else') {
          if (!context) this.fail(k.pos, `unexpected {{${k.text}}}`);
          if (k.text === 'end') this.expectRight('{{end}}');
          return { list, stop: k.text, stopPos: k.pos };
        }
        list.push(this.keyword(k));
      } else list.push({ t: 'action', pos: k.pos, pipe: this.pipeline('command', 'right') });
    }
  }

  private keyword(k: Token): Node {
    if (k.text === 'if' || k.text === 'with' || k.text === 'range') return this.control(k.text, k.pos);
    if (k.text === 'break' || k.text === 'continue') {
      if (this.rangeDepth === 0) this.fail(k.pos, `{{${k.text}}} outside {{range}}`);
      this.expectRight(`{{${k.text}}}`);
      return { t: k.text, pos: k.pos };
    }
    return this.fail(k.pos, `{{${k.text}}} is not supported in --format (named templates are not)`);
  }

  // {{if|with|range pipeline}} list [{{else}} list | {{else if|with ...}} ...] {{end}}
  private control(name: 'if' | 'with' | 'range', pos: number): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(name, 'right');
    if (name === 'range') this.rangeDepth++;
    const body = this.parseList({ name, pos });
    if (name === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.stop === 'else') {
      const k = this.peekNonSpace();
      if (k.type === 'keyword' && (k.text === 'if' || k.text === 'with')) {
        // {{else if x}} is {{else}}{{if x}}...{{end}}{{end}}: the inner control consumes the one {{end}}.
        this.nextNonSpace();
        elseList = [this.control(k.text, k.pos)];
      } else {
        this.expectRight('{{else}}');
        const rest = this.parseList({ name, pos });
        if (rest.stop === 'else') this.fail(rest.stopPos, `second {{else}} in {{${name}}}: expected {{end}}`);
        elseList = rest.list;
      }
    }
    this.vars.length = mark;
    return { t: name, pos, pipe, list: body.list, ...(elseList ? { else: elseList } : {}) };
  }

  // [decl :=|=] command [| command]... up to `end` ("}}" or ")").
  pipeline(context: string, end: 'right' | 'rparen'): Pipe {
    const start = this.peekNonSpace();
    const pipe: Pipe = { pos: start.pos, decl: [], assign: false, cmds: [] };
    if (start.type === 'var') {
      const save = this.i;
      this.nextNonSpace();
      const op = this.peekNonSpace();
      if (op.type === 'declare' || op.type === 'assign' || (op.type === 'comma' && context === 'range')) {
        const names = [start.text];
        this.nextNonSpace();
        if (op.type === 'comma') {
          const second = this.nextNonSpace();
          if (second.type !== 'var') this.unexpected(second, 'range declaration');
          names.push(second.text);
          const op2 = this.nextNonSpace();
          if (op2.type !== 'declare' && op2.type !== 'assign') this.unexpected(op2, 'range declaration');
          pipe.assign = op2.type === 'assign';
        } else pipe.assign = op.type === 'assign';
        if (pipe.assign) for (const n of names) if (!this.vars.includes(n)) this.fail(start.pos, `undefined variable ${JSON.stringify(n)}`);
        pipe.decl = names;
      } else this.i = save;
    }
    for (;;) {
      const t = this.peekNonSpace();
      if (t.type === end) {
        this.nextNonSpace();
        break;
      }
      if (t.type === 'eof' || t.type === 'right' || t.type === 'rparen') this.unexpected(t, context);
      pipe.cmds.push(this.command(end));
    }
    if (pipe.cmds.length === 0) this.fail(start.pos, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const first = c.args[0];
      if (first && ['bool', 'dot', 'nil', 'number', 'string'].includes(first.t)) this.fail(first.pos, `non executable command in pipeline stage ${i + 2}`);
    });
    // A declared variable is visible from the end of its action on.
    if (!pipe.assign) this.vars.push(...pipe.decl);
    return pipe;
  }

  private command(end: 'right' | 'rparen'): Command {
    const cmd: Command = { pos: this.peekNonSpace().pos, end: 0, args: [] };
    this.nextSpaces();
    for (;;) {
      const a = this.operand();
      cmd.args.push(a);
      cmd.end = a.end;
      const t = this.peek();
      if (t.type === 'space') {
        this.nextSpaces();
        const u = this.peek();
        if (u.type === 'pipe') {
          this.next();
          return cmd;
        }
        if (u.type === end) return cmd;
        continue;
      }
      if (t.type === 'pipe') {
        this.next();
        return cmd;
      }
      if (t.type === end) return cmd;
      this.unexpected(t, 'operand');
    }
  }

  private nextSpaces(): void {
    while (this.peek().type === 'space') this.next();
  }

  private operand(): Arg {
    const term = this.term();
    const names: string[] = [];
    let end = term.end;
    while (this.peek().type === 'field') {
      const f = this.next();
      names.push(f.text.slice(1));
      end = f.pos + f.text.length;
    }
    if (names.length === 0) return term;
    if (term.t === 'field' || term.t === 'var') return { ...term, names: [...term.names, ...names], end };
    if (term.t === 'pipe') return { t: 'chain', pos: term.pos, end, node: term, names };
    return this.fail(term.end, `unexpected .${names.join('.')} after ${this.src.slice(term.pos, term.end)}`);
  }

  private term(): Arg {
    const t = this.next();
    const pos = t.pos;
    const end = t.pos + t.text.length;
    switch (t.type) {
      case 'field':
        return { t: 'field', pos, end, names: t.text.split('.').slice(1) };
      case 'dot':
        return { t: 'dot', pos, end };
      case 'var':
        if (!this.vars.includes(t.text)) this.fail(pos, `undefined variable ${JSON.stringify(t.text)}`);
        return { t: 'var', pos, end, name: t.text, names: [] };
      case 'ident':
        if (!this.funcs.has(t.text)) this.fail(pos, `function ${JSON.stringify(t.text)} not defined`);
        return { t: 'ident', pos, end, name: t.text };
      case 'string':
        return { t: 'string', pos, end, value: unquote(this.src, t) };
      case 'char': {
        const s = unquote(this.src, t);
        if ([...s].length !== 1) this.fail(pos, `malformed character constant: ${t.text}`);
        return { t: 'number', pos, end, value: s.codePointAt(0) ?? 0 };
      }
      case 'number':
        return { t: 'number', pos, end, value: number(this.src, t) };
      case 'bool':
        return { t: 'bool', pos, end, value: t.text === 'true' };
      case 'nil':
        return { t: 'nil', pos, end };
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rparen');
        return { t: 'pipe', pos, end: (this.toks[this.i - 1]?.pos ?? pos) + 1, pipe };
      }
      default:
        return this.unexpected(t, 'operand');
    }
  }
}

export function parse(src: string, funcs: ReadonlySet<string>): Node[] {
  return new Parser(src, lex(src), funcs).parseList(undefined).list;
}
