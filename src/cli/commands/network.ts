// `nerdnet network create|ls|inspect|rm|prune|gc`: flags as nerdctl's, output as nerdctl's
// (tables, IDs) or Docker's (inspect). Wiring and formatting only; the work is in lib/network.
import { Command, Option } from 'commander';
import { NerdnetError } from '../../lib/errors.js';
import {
  createNetwork, ensureDefaultNetwork, inspectNetworks, inspectNetworksNative, labelsString, listNetworks, pruneNetworks,
  removeNetworks, type NetworkEnv, type NetworkSummary,
} from '../../lib/network/index.js';
import { parseGoBool } from '../../lib/network/options.js';
import { wiringOf } from '../wiring.js';
import { jsonIndent, listFormatter, parseTemplate, table } from '../format.js';
import { confirm } from './confirm.js';
import { networkGcCommand } from './system.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function envFrom(cmd: Command): Promise<NetworkEnv> {
  return wiringOf(cmd).networkEnv();
}

function warn(messages: readonly string[]): void {
  for (const m of messages) process.stderr.write(`WARN ${m}\n`);
}

// Print every error but the last, throw the last: main turns it into the message and exit 1.
function failWith(errors: ReadonlyArray<{ message: string; code?: string }>): void {
  errors.slice(0, -1).forEach((e) => process.stderr.write(`nerdnet: ${e.message}\n`));
  const last = errors.at(-1);
  if (last) throw new NerdnetError((last.code as NerdnetError['code'] | undefined) ?? 'ERR_NOT_FOUND', last.message);
}

// pflag accepts `--ipv6=false`; commander's boolean flags do not: rewrite to `--ipv6` / `--no-ipv6`
// (or drop a false flag that has no negation, like `--force=false`).
class BoolFlagCommand extends Command {
  override parseOptions(argv: string[]): { operands: string[]; unknown: string[] } {
    const bools = ['ipv4', 'ipv6', 'internal', 'quiet', 'force'];
    const end = argv.indexOf('--');
    const head = (end < 0 ? argv : argv.slice(0, end)).flatMap((a) => {
      const m = /^--([a-z0-9]+)=(.*)$/.exec(a);
      const name = m?.[1] ?? '';
      if (!m || !bools.includes(name)) return [a];
      if (parseGoBool(m[2] ?? '', `--${name}`)) return [`--${name}`];
      return this.options.some((o) => o.long === `--no-${name}`) ? [`--no-${name}`] : [];
    });
    return super.parseOptions(end < 0 ? head : [...head, ...argv.slice(end)]);
  }
}

interface CreateFlags {
  driver: string;
  opt: string[];
  ipamDriver: string;
  ipamOpt: string[];
  subnet: string[];
  gateway: string[];
  ipRange: string[];
  auxAddress: string[];
  label: string[];
  ipv4: boolean;
  ipv6: boolean;
  internal: boolean;
  bridgeIp?: string;
}

function createCommand(): Command {
  return new BoolFlagCommand('create')
    .summary('create a network (writes a nerdctl-compatible conflist)')
    .argument('<name>', 'network name: 2-128 letters, digits, "_", "." or "-"')
    .option('-d, --driver <driver>', 'bridge, macvlan or ipvlan', 'bridge')
    .option('-o, --opt <key=value>', 'driver option (bridge: mtu, ip-masq, icc; macvlan/ipvlan: mtu, mode, parent); repeatable', collect, [])
    .option('--ipam-driver <driver>', 'default (host-local), host-local, dhcp or static', 'default')
    .option('--ipam-opt <name=json>', 'dhcp option, e.g. domain-name={"type":"request"}; repeatable', collect, [])
    .option('--subnet <cidr>', 'subnet; repeatable (one range set each)', collect, [])
    .option('--gateway <ip>', 'gateway, paired with the subnet that contains it; repeatable', collect, [])
    .option('--ip-range <cidr>', 'allocate from this part of the subnet that contains it; repeatable', collect, [])
    .option('--aux-address <name=ip>', 'address never handed out; repeatable', collect, [])
    .option('--label <key=value>', 'network label; repeatable', collect, [])
    .option('--ipv4', 'enable IPv4 (--ipv4=false with an IPv6 --subnet: IPv6-only)', true)
    .addOption(new Option('--no-ipv4').hideHelp())
    .option('--ipv6', 'enable IPv6 (needs an IPv6 --subnet)', false)
    .addOption(new Option('--no-ipv6').hideHelp())
    .option('--internal', 'no gateway, masquerade, default route or port mapping', false)
    .addOption(new Option('--no-internal').hideHelp())
    .exitOverride()
    .action(async (name: string, f: CreateFlags, cmd: Command) => {
      const env = await envFrom(cmd);
      const bridgeIp = cmd.optsWithGlobals<{ bridgeIp?: string }>().bridgeIp;
      const plain = f.driver === 'bridge' && f.subnet.length + f.gateway.length + f.ipRange.length + f.auxAddress.length + f.opt.length === 0;
      // `create bridge` without IPAM flags makes the default network as a container would.
      if (name === 'bridge' && plain && f.ipamDriver === 'default' && f.ipamOpt.length + f.label.length === 0 && f.ipv4 && !f.ipv6 && !f.internal) {
        const d = await ensureDefaultNetwork(env, { bridgeIP: bridgeIp });
        if (!d.created) throw new NerdnetError('ERR_ALREADY_EXISTS', `network with name bridge already exists (${d.network.file})`);
        warn(d.warnings);
        process.stdout.write(`${d.network.id ?? ''}\n`);
        return;
      }
      const net = await createNetwork(env, {
        name, driver: f.driver, options: f.opt, ipamDriver: f.ipamDriver, ipamOptions: f.ipamOpt, subnets: f.subnet, gateways: f.gateway,
        ipRanges: f.ipRange, auxAddresses: f.auxAddress, labels: f.label, ipv4: f.ipv4, ipv6: f.ipv6, internal: f.internal,
      });
      warn(net.warnings);
      process.stdout.write(`${net.id}\n`);
    });
}

interface LsFlags {
  quiet: boolean;
  filter: string[];
  format?: string;
}

// nerdctl's template object: ID, Name, Labels.
const printable = (r: NetworkSummary) => ({ ID: r.id, Name: r.name, Labels: labelsString(r.labels) });

function lsCommand(): Command {
  return new BoolFlagCommand('ls')
    .alias('list')
    .summary('list networks')
    .option('-q, --quiet', 'only IDs', false)
    .option('-f, --filter <filter>', 'name=<regexp>, label=<key>[=<value>], id=<prefix>, driver=<driver>; repeatable', collect, [])
    .option('--format <format>', 'table, json, or a template such as "{{.Name}}"')
    .exitOverride()
    .action(async (f: LsFlags, cmd: Command) => {
      const format = f.format ?? '';
      const isTable = ['', 'table', 'wide'].includes(format);
      if (format === 'raw') throw new NerdnetError('ERR_INVALID_ARG', 'unsupported format: "raw"');
      if (f.quiet && !isTable) throw new NerdnetError('ERR_INVALID_ARG', 'format and quiet must not be specified together');
      const tpl = isTable ? undefined : listFormatter(format, { ID: 'NETWORK ID', Name: 'NAME', Labels: 'LABELS' });
      const rows = await listNetworks(await envFrom(cmd), { filters: f.filter });
      if (f.quiet) {
        process.stdout.write(rows.filter((r) => r.id !== '').map((r) => `${r.id}\n`).join(''));
      } else if (tpl) {
        process.stdout.write(tpl(rows.map(printable)));
      } else {
        process.stdout.write(table(['NETWORK ID', 'NAME', 'FILE'], rows.map((r) => [r.id, r.name, r.file])));
      }
    });
}

function inspectCommand(): Command {
  return new Command('inspect')
    .summary('show networks as JSON (Docker-compatible)')
    .argument('<network...>', 'name, ID or ID prefix')
    .option('--mode <mode>', 'dockercompat or native', 'dockercompat')
    .option('-f, --format <format>', 'template applied to each network, e.g. "{{json .IPAM}}"')
    .exitOverride()
    .action(async (nets: string[], f: { mode: string; format?: string }, cmd: Command) => {
      if (f.mode !== 'dockercompat' && f.mode !== 'native') throw new NerdnetError('ERR_INVALID_ARG', `unknown --mode "${f.mode}": use dockercompat or native`);
      // nerdctl's inspect falls back to the JSON-decoded map, where a missing key prints <no value>.
      const tpl = f.format && f.format !== 'json' ? parseTemplate(f.format, { missingKey: 'default' }) : undefined;
      const env = await envFrom(cmd);
      const r = f.mode === 'native' ? await inspectNetworksNative(env, nets) : await inspectNetworks(env, nets);
      if (tpl) process.stdout.write(r.networks.map((n) => `${tpl.render(n)}\n`).join(''));
      else if (r.networks.length > 0 || r.errors.length === 0) process.stdout.write(jsonIndent(r.networks));
      failWith(r.errors);
    });
}

function rmCommand(): Command {
  return new BoolFlagCommand('rm')
    .alias('remove')
    .summary('remove networks (and the bridges they created)')
    .argument('<network...>', 'name, ID or ID prefix')
    .option('-f, --force', 'first detach stopped containers whose stop left them attached', false)
    .exitOverride()
    .action(async (nets: string[], f: { force: boolean }, cmd: Command) => {
      const r = await removeNetworks(await envFrom(cmd), nets, { force: f.force });
      process.stdout.write(r.removed.map((n) => `${n}\n`).join(''));
      warn(r.warnings);
      failWith(r.errors);
    });
}

function pruneCommand(): Command {
  return new BoolFlagCommand('prune')
    .summary('remove every network no container uses (except the default network)')
    .option('-f, --force', 'do not ask for confirmation', false)
    .exitOverride()
    .action(async (f: { force: boolean }, cmd: Command) => {
      const q = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';
      if (!f.force && !(await confirm(q))) return;
      const r = await pruneNetworks(await envFrom(cmd));
      if (r.removed.length > 0) process.stdout.write(`Deleted Networks:\n${r.removed.map((n) => `${n}\n`).join('')}\n`);
      warn(r.warnings);
      failWith(r.errors);
    });
}

export function networkCommand(): Command {
  const net = new Command('network')
    .description('manage networks (nerdctl-compatible conflists in the CNI conf dir)')
    .option('--bridge-ip <cidr>', 'address of the default network\'s bridge when it is created, e.g. 10.1.100.1/24 (env NERDCTL_BRIDGE_IP)', process.env.NERDCTL_BRIDGE_IP)
    .exitOverride();
  for (const c of [createCommand(), lsCommand(), inspectCommand(), rmCommand(), pruneCommand(), networkGcCommand()]) net.addCommand(c);
  return net;
}
