// The CLI's entry (bundled into dist/nerdnet.js with its chunks). A hook command line that reaches
// it (from the sources, or an older container's hook) loads only the hook's code; built containers
// get dist/nerdnet-hook.cjs as their hook instead (nerdnet-hook.ts).
import { isHookCommand } from '../cli/hook-argv.js';

const hookExit = isHookCommand(process.argv.slice(2)) ? await (await import('../cli/hook-main.js')).runHookFast(process.argv) : undefined;
process.exitCode = hookExit ?? (await (await import('../cli/main.js')).main(process.argv));
