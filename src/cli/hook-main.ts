// The OCI hook's entry (runc starts it on every container start and stop): the usual hook command
// line runs with only the hook's code, no commander; anything else goes to the full CLI (main.ts).
import { contextOf, globalDefaults } from './context.js';
import { reportError } from './error-text.js';
import { parseHookArgs } from './hook-argv.js';
import { runOciHook } from './oci-hook.js';

export async function main(argv: string[]): Promise<number> {
  const parsed = parseHookArgs(argv.slice(2), globalDefaults());
  if (!parsed) return (await import('./main.js')).main(argv);
  try {
    await runOciHook(contextOf(parsed.flags), parsed.event, parsed.bridgeIP);
    return 0;
  } catch (err) {
    return reportError(err);
  }
}
