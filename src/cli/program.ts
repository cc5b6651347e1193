// The root command every commander entry shares (name, version, global flags), and running it:
// errors become messages and exit codes here.
import { Command, CommanderError } from 'commander';
import { addGlobalOptions } from './context.js';
import { reportError } from './error-text.js';

export function rootCommand(): Command {
  const program = new Command('nerdnet')
    .description("nerdctl's container networking: CNI networks, container files and the OCI hook, no daemon")
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  addGlobalOptions(program);
  return program;
}

export async function runProgram(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander already printed its own usage errors and help.
    if (err instanceof CommanderError) return err.exitCode;
    return reportError(err);
  }
}
