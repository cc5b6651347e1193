// Executes a parse tree over JSON-shaped data with text/template's rules: dot, variables and their
// scopes, pipelines (the previous result is the last argument), if/with/range/else, break/continue.
import { NerdnetError } from '../../lib/errors.js';
import { position } from './errors.js';
import { FUNCS, FuncError } from './funcs.js';
import type { Arg, Command, ControlNode, Node, Pipe } from './parser.js';
import { sprint } from './printf.js';
import { goType, isMap, isNil, isTrue, sortedKeys } from './value.js';

/** What a field missing from an object does: Go's map rule (`<no value>`) or a struct's (an error). */
export type MissingKey = 'default' | 'error';

const NO_FINAL = Symbol('no final');

// Docker's HeaderFunctions: in a table's header row these pass the header text through unchanged.
const same = (min: number, max: number) => ({ min, max, call: (a: unknown[]) => a[0] });
const HEADER_FUNCS: Readonly<Record<string, (typeof FUNCS)[string]>> = {
  json: same(1, 1),
  join: same(2, 2),
  split: same(2, 2),
  title: same(1, 1),
  upper: same(1, 1),
  lower: same(1, 1),
};
class Break extends Error {}
class Continue extends Error {}

export class Executor {
  private vars: Array<{ name: string; value: unknown }> = [];
  private out = '';

  constructor(
    private readonly src: string,
    private readonly missingKey: MissingKey,
    private readonly header = false,
  ) {}

  run(nodes: Node[], data: unknown): string {
    this.vars = [{ name: '$', value: data }];
    this.out = '';
    this.walk(nodes, data);
    return this.out;
  }

  private fail(pos: number, end: number | undefined, what: string): never {
    const at = end === undefined ? '' : `: <${this.src.slice(pos, end)}>`;
    throw new NerdnetError('ERR_INVALID_ARG', `invalid --format: ${what} (at ${position(this.src, pos)}${at})`);
  }

  private walk(nodes: Node[], dot: unknown): void {
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          this.out += n.text;
          break;
        case 'action': {
          const v = this.pipe(n.pipe, dot);
          if (n.pipe.decl.length === 0) this.out += isNil(v) ? '<no value>' : sprint([v]);
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.pipe(n.pipe, dot);
          if (isTrue(v)) this.walk(n.list, n.t === 'with' ? v : dot);
          else if (n.else) this.walk(n.else, dot);
          this.vars.length = mark;
          break;
        }
        case 'range':
          this.range(n, dot);
          break;
        case 'break':
          throw new Break();
        case 'continue':
          throw new Continue();
      }
    }
  }

  private range(n: ControlNode, dot: unknown): void {
    const mark = this.vars.length;
    const v = this.pipe(n.pipe, dot);
    const inner = this.vars.length;
    let items: Array<[unknown, unknown]>;
    if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
    else if (isMap(v)) items = sortedKeys(v).map((k) => [k, v[k]]);
    else if (isNil(v)) items = [];
    else return this.fail(n.pipe.pos, undefined, `range can't iterate over ${sprint([v])} (a ${goType(v)})`);
    const set = (offset: number, value: unknown): void => {
      const name = n.pipe.decl[n.pipe.decl.length - offset];
      if (name === undefined) return;
      if (n.pipe.assign) this.assign(name, value);
      else (this.vars[inner - offset] as { value: unknown }).value = value;
    };
    try {
      for (const [key, elem] of items) {
        set(1, elem);
        set(2, key);
        try {
          this.walk(n.list, elem);
        } catch (e) {
          if (!(e instanceof Continue)) throw e;
        } finally {
          this.vars.length = inner;
        }
      }
    } catch (e) {
      if (!(e instanceof Break)) throw e;
    }
    if (items.length === 0 && n.else) this.walk(n.else, dot);
    this.vars.length = mark;
  }

  // The innermost variable of that name (the parser has checked there is one).
  private slot(name: string): { name: string; value: unknown } | undefined {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]?.name === name) return this.vars[i];
    return undefined;
  }

  private lookup(name: string): unknown {
    return this.slot(name)?.value;
  }

  private assign(name: string, value: unknown): void {
    const slot = this.slot(name);
    if (slot) slot.value = value;
  }

  private pipe(p: Pipe, dot: unknown): unknown {
    let v: unknown = NO_FINAL;
    for (const c of p.cmds) v = this.command(c, dot, v);
    for (const name of p.decl) {
      if (p.assign) this.assign(name, v);
      else this.vars.push({ name, value: v });
    }
    return v;
  }

  private command(c: Command, dot: unknown, final: unknown): unknown {
    const [first, ...rest] = c.args;
    if (first === undefined) return undefined;
    if (first.t === 'ident') return this.call(first, rest, dot, final, c.end);
    const hasArgs = rest.length > 0 || final !== NO_FINAL;
    if (hasArgs) {
      if (first.t === 'field' || ((first.t === 'var' || first.t === 'chain') && first.names.length > 0)) {
        this.fail(first.pos, first.end, `${first.names.at(-1) ?? ''} is not a method but has arguments`);
      }
      this.fail(first.pos, first.end, `can't give argument to non-function ${this.src.slice(first.pos, first.end)}`);
    }
    if (first.t === 'nil') this.fail(first.pos, first.end, 'nil is not a command');
    return this.arg(first, dot);
  }

  private call(fn: Extract<Arg, { t: 'ident' }>, args: Arg[], dot: unknown, final: unknown, end = fn.end): unknown {
    const def = (this.header ? HEADER_FUNCS[fn.name] : undefined) ?? FUNCS[fn.name];
    if (!def) return this.fail(fn.pos, fn.end, `function ${JSON.stringify(fn.name)} not defined`);
    const n = args.length + (final === NO_FINAL ? 0 : 1);
    if (n < def.min || n > def.max) {
      const want = def.min === def.max ? `${def.min}` : def.max === Number.POSITIVE_INFINITY ? `at least ${def.min}` : `${def.min} to ${def.max}`;
      this.fail(fn.pos, end, `wrong number of args for ${fn.name}: want ${want} got ${n}`);
    }
    const values = (): unknown[] => [...args.map((a) => this.arg(a, dot)), ...(final === NO_FINAL ? [] : [final])];
    // and/or stop at the first argument that decides them, as Go (1.18+) does.
    if (fn.name === 'and' || fn.name === 'or') {
      const wanted = fn.name === 'or';
      let last: unknown;
      for (const a of args) {
        last = this.arg(a, dot);
        if (isTrue(last) === wanted) return last;
      }
      return final === NO_FINAL ? last : final;
    }
    try {
      return def.call(values());
    } catch (e) {
      if (e instanceof FuncError) this.fail(fn.pos, end, `error calling ${fn.name}: ${e.message}`);
      throw e;
    }
  }

  private arg(a: Arg, dot: unknown): unknown {
    switch (a.t) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'string':
      case 'number':
      case 'bool':
        return a.value;
      case 'field':
        return this.fields(dot, a.names, a, '');
      case 'var':
        return this.fields(this.lookup(a.name), a.names, a, a.name);
      case 'pipe':
        return this.pipe(a.pipe, dot);
      case 'chain':
        return this.fields(this.arg(a.node, dot), a.names, a, this.src.slice(a.node.pos, a.node.end));
      case 'ident':
        return this.call(a, [], dot, NO_FINAL);
    }
  }

  // .A.B on a value: a key of a map; `<no value>` past a missing key; an error on anything else.
  private fields(receiver: unknown, names: string[], node: Arg, base: string): unknown {
    let cur = receiver;
    for (const [i, name] of names.entries()) {
      const path = (): string => `${base}${names.slice(0, i).map((n) => `.${n}`).join('')}` || '.';
      if (cur === undefined) {
        if (this.missingKey === 'error') this.fail(node.pos, node.end, `can't evaluate field ${name}: ${path()} has no value`);
        return undefined;
      }
      if (cur === null) this.fail(node.pos, node.end, `nil pointer evaluating interface {}.${name}`);
      if (!isMap(cur)) this.fail(node.pos, node.end, `can't evaluate field ${name} in type ${goType(cur)}`);
      if (!Object.hasOwn(cur, name)) {
        if (this.missingKey === 'error') this.fail(node.pos, node.end, `can't evaluate field ${name} in ${path()} (fields: ${Object.keys(cur).join(', ') || 'none'})`);
        return undefined;
      }
      cur = cur[name];
    }
    return cur;
  }
}
