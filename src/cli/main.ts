// Builds the command tree and is the only place errors become messages and exit codes.
import { Command, CommanderError } from 'commander';
import { CniError, NerdnetError } from '../lib/errors.js';
import { addGlobalOptions } from './context.js';
import { cniCommand } from './commands/cni.js';
import { registerContainerCommands } from './commands/container.js';
import { registerImageCommands } from './commands/image.js';
import { internalCommand } from './commands/internal.js';
import { networkCommand } from './commands/network.js';
import { cniProviderFor } from './providers.js';
import { ContainerModeProvider } from '../lib/container/container-mode-provider.js';

export function buildProgram(): Command {
  const program = new Command('nerdnet')
    .description("nerdctl's container networking: CNI networks, container files and the OCI hook, no daemon")
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  addGlobalOptions(program);
  registerImageCommands(program);
  program.addCommand(cniCommand());
  program.addCommand(networkCommand());
  registerContainerCommands(program, { providers: async (cmd) => [await cniProviderFor(cmd), new ContainerModeProvider()] });
  program.addCommand(internalCommand(), { hidden: true });
  return program;
}

export function formatError(err: unknown): string {
  if (err instanceof CniError) {
    const plugin = err.plugin ? ` [plugin ${err.plugin}]` : '';
    return `${err.message} (CNI error code ${err.cniCode})${plugin}`;
  }
  if (NerdnetError.is(err)) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander already printed its own usage errors and help.
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`nerdnet: ${formatError(err)}\n`);
    if (process.env.NERDNET_DEBUG_STACK && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
