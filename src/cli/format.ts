// Output helpers: Go's text/tabwriter (nerdctl's tables), JSON, and the Go templates of `--format`
// (src/cli/template/).
import { parseTemplate } from './template/index.js';

export { parseTemplate, type Template, type TemplateOptions } from './template/index.js';

export interface TabwriterOptions {
  minwidth: number;
  padding: number;
  padchar: string;
}

// nerdctl: tabwriter.NewWriter(w, 4, 8, 4, ' ', 0).
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


// docker images' tabwriter: tabwriter.NewWriter(w, 10, 1, 3, ' ', 0).
export const DOCKER_TABLE: TabwriterOptions = { minwidth: 10, padding: 3, padchar: ' ' };

/**
 * A list command's --format other than its default table: a template per row, or Docker's
 * `table TEMPLATE`, whose header row is the template run over `headers` (each field's column name,
 * e.g. ID -> "CONTAINER ID") and whose rows are aligned by the tabwriter. As Docker does for a table,
 * a literal `\t` or `\n` in the text becomes a tab or newline. Parse errors are thrown here.
 */
export function listFormatter(format: string, headers: Readonly<Record<string, string>>, o: TabwriterOptions = NERDCTL_TABLE): (rows: readonly unknown[]) => string {
  if (!format.startsWith('table') || format === 'table') {
    const t = parseTemplate(format === 'json' ? '{{json .}}' : format);
    return (rows) => rows.map((r) => `${t.render(r)}\n`).join('');
  }
  const body = format.slice('table'.length).replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const row = parseTemplate(body);
  const header = parseTemplate(body, { missingKey: 'default', header: true });
  return (rows) => tabwrite([header.render(headers), ...rows.map((r) => row.render(r))].map((l) => `${l}\n`).join(''), o);
}
