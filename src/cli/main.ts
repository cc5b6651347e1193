// Builds the full command tree; errors become messages and exit codes in program.ts.
import type { Command } from 'commander';
import { cniCommand } from './commands/cni.js';
import { registerContainerCommands } from './commands/container.js';
import { registerImageCommands } from './commands/image.js';
import { internalCommand } from './commands/internal.js';
import { networkCommand } from './commands/network.js';
import { systemCommand } from './commands/system.js';
import { guardOutput, outputError } from './output.js';
import { rootCommand, runProgram } from './program.js';

export { formatError } from './error-text.js';

export function buildProgram(): Command {
  const program = rootCommand();
  registerImageCommands(program);
  program.addCommand(cniCommand());
  program.addCommand(networkCommand());
  registerContainerCommands(program);
  program.addCommand(systemCommand());
  program.addCommand(internalCommand(), { hidden: true });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  guardOutput();
  const code = await runProgram(buildProgram(), argv);
  // A failed write reports its error on the next tick; let it arrive before the status is decided.
  await new Promise((resolve) => setImmediate(resolve));
  const lost = outputError();
  if (lost === undefined || code !== 0) return code;
  process.stderr.write(`nerdnet: cannot write the output: ${lost}\n`);
  return 1;
}
