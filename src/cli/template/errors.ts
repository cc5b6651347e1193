// Template errors: ERR_INVALID_ARG naming the line and column in the --format text and what is wrong.
import { NerdnetError } from '../../lib/errors.js';

export function position(src: string, pos: number): string {
  const before = src.slice(0, pos);
  const line = before.split('\n').length;
  const col = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
  return `line ${line}, column ${col}`;
}

export function templateError(src: string, pos: number, what: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', `invalid --format: ${what} (at ${position(src, pos)})`);
}
