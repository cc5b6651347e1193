// Output helpers: Go's text/tabwriter (nerdctl's tables), JSON, and the `{{.Field}}` /
// `{{json .}}` subset of Go templates that `--format` accepts.
import { NerdnetError } from '../lib/errors.js';
import { goMarshal } from '../lib/network/gojson.js';

export interface TabwriterOptions {
  minwidth: number;
  padding: number;
  padchar: string;
}

// nerdctl: tabwriter.NewWriter(w, 4, 8, 4, ' ', 0) (deps-and-style 2.8).
export const NERDCTL_TABLE: TabwriterOptions = { minwidth: 4, padding: 4, padchar: ' ' };

const runeCount = (s: string): number => [...s].length;

// One flush of Go's tabwriter: column blocks are runs of consecutive lines that have a
// tab-terminated cell in that column; the last cell of a line is never padded.
function formatBlock(lines: string[][], endsWithNewline: boolean[], o: TabwriterOptions): string {
  const widths: number[] = [];
  let out = '';
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const line = lines[i] ?? [];
      line.forEach((cell, j) => {
        out += cell;
        const w = widths[j];
        if (w !== undefined) out += o.padchar.repeat(Math.max(0, w - runeCount(cell)));
      });
      if (endsWithNewline[i]) out += '\n';
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= (lines[t]?.length ?? 0) - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = o.minwidth;
      for (; t < line1; t++) {
        const line = lines[t] ?? [];
        if (column >= line.length - 1) break;
        width = Math.max(width, runeCount(line[column] ?? '') + o.padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out;
}

// Format text the way Go's tabwriter would (cells end at '\t'); a line without a tab flushes.
export function tabwrite(text: string, o: TabwriterOptions = NERDCTL_TABLE): string {
  const raw = text.split('\n');
  let out = '';
  let lines: string[][] = [];
  let nl: boolean[] = [];
  raw.forEach((l, i) => {
    const cells = l.split('\t');
    const complete = i < raw.length - 1;
    if (!complete && l === '') return;
    lines.push(cells);
    nl.push(complete);
    if (complete && cells.length === 1) {
      out += formatBlock(lines, nl, o);
      lines = [];
      nl = [];
    }
  });
  return out + formatBlock(lines, nl, o);
}

// A table of rows; `header` first. Every row gets its cells tab-terminated but the last.
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, o: TabwriterOptions = NERDCTL_TABLE): string {
  return tabwrite([header, ...rows].map((r) => `${r.join('\t')}\n`).join(''), o);
}

// Docker's inspect output: 4-space indent, no HTML escaping, newline at the end.
export function jsonIndent(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

// Go's fmt %v of a decoded JSON value, which is what `{{.Field}}` prints for non-strings.
function goPrint(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([k, x]) => `${k}:${goPrint(x)}`).join(' ')}]`;
}

type Arg = { kind: 'path'; path: string[] } | { kind: 'string'; value: string };

function parseArgs(words: string[], action: string): Arg[] {
  return words.map((w): Arg => {
    if (w === '.') return { kind: 'path', path: [] };
    if (/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(w)) return { kind: 'path', path: w.slice(1).split('.') };
    if (/^"(?:[^"\\]|\\.)*"$/.test(w)) return { kind: 'string', value: JSON.parse(w) as string };
    throw new NerdnetError('ERR_INVALID_ARG', `invalid --format: unsupported template action {{${action}}}: "${w}" is not .Field, . or a "string"`);
  });
}

function evalArg(a: Arg, data: unknown): unknown {
  if (a.kind === 'string') return a.value;
  let cur: unknown = data;
  for (const [i, key] of a.path.entries()) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !(key in cur)) {
      const fields = typeof cur === 'object' && cur !== null ? Object.keys(cur).join(', ') : 'none';
      throw new NerdnetError('ERR_INVALID_ARG', `invalid --format: can't evaluate field ${key} in .${a.path.slice(0, i).join('.')} (fields: ${fields})`);
    }
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const FUNCS: Record<string, (args: unknown[]) => string> = {
  json: ([v]) => goMarshal(v),
  index: ([v, ...keys]) => goPrint(keys.reduce<unknown>((acc, k) => (typeof acc === 'object' && acc !== null ? (acc as Record<string, unknown>)[String(k)] : undefined), v)),
  join: ([v, sep]) => (Array.isArray(v) ? v.map(goPrint).join(typeof sep === 'string' ? sep : '') : goPrint(v)),
  upper: ([v]) => goPrint(v).toUpperCase(),
  lower: ([v]) => goPrint(v).toLowerCase(),
};

function splitWords(s: string): string[] {
  return s.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

/** A parsed `--format` template; render() throws on fields the data does not have. */
export interface Template {
  render(data: unknown): string;
}

// The subset: text, {{.A.B}}, {{.}}, {{json .X}}, {{index .M "k"}}, {{join .L ","}}, {{upper/lower .X}}, {{- -}} trims.
export function parseTemplate(src: string): Template {
  const parts: Array<string | { fn?: string; args: Arg[] }> = [];
  const re = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.trimStart();
    if (m[1] === '-') text = text.trimEnd();
    parts.push(text);
    trimNext = m[3] === '-';
    const action = m[2] ?? '';
    const words = splitWords(action);
    const first = words[0] ?? '';
    if (first in FUNCS) parts.push({ fn: first, args: parseArgs(words.slice(1), action) });
    else if (words.length === 1) parts.push({ args: parseArgs(words, action) });
    else throw new NerdnetError('ERR_INVALID_ARG', `invalid --format: unsupported template action {{${action}}}: use {{.Field}}, {{json .}}, {{index .Labels "key"}}`);
    last = m.index + m[0].length;
  }
  parts.push(trimNext ? src.slice(last).trimStart() : src.slice(last));
  return {
    render(data: unknown): string {
      return parts
        .map((p) => {
          if (typeof p === 'string') return p;
          const values = p.args.map((a) => evalArg(a, data));
          return p.fn ? (FUNCS[p.fn] as (a: unknown[]) => string)(values) : goPrint(values[0]);
        })
        .join('');
    },
  };
}
