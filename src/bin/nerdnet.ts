// The single entry point: CLI and OCI hook (bundled into dist/nerdnet.js).
import { main } from '../cli/main.js';

process.exitCode = await main(process.argv);
