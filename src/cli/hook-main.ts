// The OCI hook's fast path (runc starts it on every container start and stop): the usual hook
// command line runs with only the hook's code, no commander. Anything else is left to the full CLI
// (main.ts), which parses it the same way, only slower.
import { contextOf, globalDefaults } from './context.js';
import { reportError } from './error-text.js';
import { parseHookArgs } from './hook-argv.js';
import { runOciHook } from './oci-hook.js';

// The exit code, or undefined when `argv` is not the hook's usual command line.
export async function runHookFast(argv: string[]): Promise<number | undefined> {
  const parsed = parseHookArgs(argv.slice(2), globalDefaults());
  if (!parsed) return undefined;
  try {
    await runOciHook(contextOf(parsed.flags), parsed.event, parsed.bridgeIP);
    return 0;
  } catch (err) {
    return reportError(err);
  }
}
