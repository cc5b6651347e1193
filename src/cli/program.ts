// The root command every commander entry shares (name, version, global flags), and running it:
// errors become messages and exit codes here.
import { Command, CommanderError, Option } from 'commander';
import { globalDefaults } from './context.js';
import { reportError } from './error-text.js';

// nerdctl's global flags; their defaults (and env variables) come from globalDefaults, which the
// hook's own parser shares. Those set on the command line win over the env and nerdctl.toml
// (resolveSettings, through wiringOf).
export function addGlobalOptions(program: Command): void {
  const d = globalDefaults();
  program
    .option('-n, --namespace <ns>', 'containerd namespace (env CONTAINERD_NAMESPACE)', d.namespace)
    .option('-a, --address <path>', 'containerd address (env CONTAINERD_ADDRESS)', d.address)
    .option('--data-root <dir>', 'root of nerdnet/nerdctl data', d.dataRoot)
    .option('--cni-path <dirs>', 'CNI plugin dirs, ":"-separated (env CNI_PATH; default: first existing of nerdctl\'s list)')
    .option('--cni-netconfpath <dir>', 'CNI config dir (env NETCONFPATH; default /etc/cni/net.d)')
    .addOption(new Option('--backend <runc|containerd>', 'what runs containers: runc directly (no daemon) or containerd at --address, as nerdctl (env NERDNET_BACKEND)').env('NERDNET_BACKEND').default('runc'))
    .option('--host-gateway-ip <ip>', 'the address `--add-host NAME:host-gateway` stands for (env NERDCTL_HOST_GATEWAY_IP; default: the host\'s first non-loopback IPv4 address)')
    .option('--insecure-registry <host>', 'registry that may be reached over plain HTTP (localhost always may); repeatable', (v: string, prev?: string[]) => [...(prev ?? []), v])
    .option('--debug', 'log what nerdnet does to stderr', d.debug);
}

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
