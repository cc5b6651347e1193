// How an error reaches the user: one line on stderr (the stack with NERDNET_DEBUG_STACK), exit 1.
import { CniError, NerdnetError } from '../lib/errors.js';

export function formatError(err: unknown): string {
  if (err instanceof CniError) {
    const plugin = err.plugin ? ` [plugin ${err.plugin}]` : '';
    return `${err.message} (CNI error code ${err.cniCode})${plugin}`;
  }
  if (NerdnetError.is(err)) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

// Print `err` and return the exit code.
export function reportError(err: unknown): number {
  process.stderr.write(`nerdnet: ${formatError(err)}\n`);
  if (process.env.NERDNET_DEBUG_STACK && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}
