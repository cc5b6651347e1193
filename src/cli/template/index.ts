// Go text/template for --format: parseTemplate(src).render(data), and Docker's `table` prefix.
import { Executor, type MissingKey } from './exec.js';
import { FUNC_NAMES } from './funcs.js';
import { parse } from './parser.js';

export type { MissingKey } from './exec.js';

/** A parsed `--format` template. */
export interface Template {
  render(data: unknown): string;
}

export interface TemplateOptions {
  /**
   * 'error' (the default): an object is a Go struct, so a field it lacks is an error, as in nerdctl's
   * ps, network ls and image ls; 'default': an object is a Go map, a missing key prints `<no value>`,
   * as in nerdctl's inspect commands (which fall back to the JSON-decoded map).
   */
  missingKey?: MissingKey;
  /** Docker's header functions: json, join, split, title, upper, lower return their first argument as is. */
  header?: boolean;
}

// Parse errors are thrown here; execution errors by render().
export function parseTemplate(src: string, options: TemplateOptions = {}): Template {
  const tree = parse(src, FUNC_NAMES);
  const exec = new Executor(src, options.missingKey ?? 'error', options.header ?? false);
  return { render: (data) => exec.run(tree, data) };
}
