// The single entry point: CLI and OCI hook (bundled into dist/nerdnet.js with its chunks). runc
// starts the hook as a fresh process on every container start and stop: it loads only its code.
import { isHookCommand } from '../cli/hook-argv.js';

const { main } = isHookCommand(process.argv.slice(2)) ? await import('../cli/hook-main.js') : await import('../cli/main.js');
process.exitCode = await main(process.argv);
