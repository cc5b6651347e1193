// `nerdnet cni add|del|check|status|gc|version`: cnitool's job over the CNI library, with
// cnitool's environment (NETCONFPATH, CNI_PATH, CAP_ARGS, CNI_ARGS, CNI_IFNAME).
import { Command } from 'commander';
import type { CniConfig } from '../../lib/cni/api.js';
import type { NetworkConfigList } from '../../lib/cni/conf.js';
import { cnitoolContainerID, parseCapArgs, parseCniArgs, resolveNetnsPath } from '../../lib/cni/cnitool.js';
import { loadConfList } from '../../lib/cni/conf-files.js';
import { resultToJSON } from '../../lib/cni/result.js';
import { ALL_VERSIONS, CURRENT_VERSION } from '../../lib/cni/version.js';
import { join } from 'node:path';
import { NerdnetError } from '../../lib/errors.js';
import { contextFrom, type CliContext } from '../context.js';
import { cniConfigFor } from '../cni-config.js';

interface AttachFlags {
  ifname?: string;
  containerId?: string;
  timeout?: string;
}

function printJSON(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 4)}\n`);
}

function timeoutMs(flags: AttachFlags): number | undefined {
  if (flags.timeout === undefined) return undefined;
  const n = Number(flags.timeout);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`invalid --timeout "${flags.timeout}": give seconds, e.g. --timeout 30`);
  return n * 1000;
}

// cnitool reads only the conf dir itself (libcni's LoadConfList, kept exact). nerdctl and
// `nerdnet network create` keep every network but the default `bridge` in <conf dir>/<namespace>/,
// so a network not found there is looked up in the namespace's dir next.
async function loadNetwork(ctx: CliContext, network: string): Promise<NetworkConfigList> {
  try {
    return await loadConfList(ctx.dirs.confDir, network);
  } catch (err) {
    if (!NerdnetError.is(err) || (err.code !== 'ERR_NO_CONFIGS' && err.code !== 'ERR_NOT_FOUND')) throw err;
    const nsDir = join(ctx.dirs.confDir, ctx.flags.namespace);
    try {
      return await loadConfList(nsDir, network);
    } catch (inner) {
      if (!NerdnetError.is(inner) || (inner.code !== 'ERR_NO_CONFIGS' && inner.code !== 'ERR_NOT_FOUND')) throw inner;
      throw new NerdnetError(err.code, `${err.message}, nor in ${nsDir} (namespace ${ctx.flags.namespace}'s networks): check the name with \`nerdnet network ls\``);
    }
  }
}

async function setup(cmd: Command, network: string, flags: AttachFlags) {
  const ctx = contextFrom(cmd);
  const list = await loadNetwork(ctx, network);
  const cni = cniConfigFor(ctx, (c) => process.stderr.write(c), timeoutMs(flags));
  return { ctx, list, cni };
}

async function runtimeConf(netnsArg: string, flags: AttachFlags) {
  const netns = await resolveNetnsPath(netnsArg);
  const rt = {
    containerID: flags.containerId ?? cnitoolContainerID(netns),
    netns,
    ifName: flags.ifname ?? process.env.CNI_IFNAME ?? 'eth0',
    args: parseCniArgs(process.env.CNI_ARGS ?? ''),
    capabilityArgs: parseCapArgs(process.env.CAP_ARGS ?? ''),
  };
  return rt;
}

function attachCommand(name: 'add' | 'del' | 'check', summary: string): Command {
  return new Command(name)
    .summary(summary)
    .argument('<network>', 'network name, as in its config file in the conf dir')
    .argument('<netns>', 'network namespace: a path (/run/netns/x, /proc/<pid>/ns/net) or a name from `ip netns`')
    .option('-i, --ifname <name>', 'interface name in the namespace (env CNI_IFNAME, default eth0)')
    .option('--container-id <id>', 'container ID (default: cnitool\'s, derived from the netns path)')
    .option('--timeout <seconds>', 'kill a plugin that runs longer than this')
    .action(async (network: string, netnsArg: string, flags: AttachFlags, cmd: Command) => {
      const { list, cni, ctx } = await setup(cmd, network, flags);
      const rt = await runtimeConf(netnsArg, flags);
      ctx.debug(`${name} ${list.name} container ${rt.containerID} ${rt.ifName} in ${rt.netns}`);
      if (name === 'add') printJSON(resultToJSON(await cni.addNetworkList(list, rt)));
      else if (name === 'del') await cni.delNetworkList(list, rt);
      else await cni.checkNetworkList(list, rt);
    });
}

// A command that runs one operation on a whole network (no netns).
function listCommand(name: string, summary: string, run: (api: CniConfig, list: NetworkConfigList) => Promise<void>): Command {
  return new Command(name)
    .summary(summary)
    .argument('<network>')
    .action(async (network: string, _o: unknown, cmd: Command) => {
      const { cni: api, list } = await setup(cmd, network, {});
      await run(api, list);
    });
}

export function cniCommand(): Command {
  const cni = new Command('cni').description('run CNI plugins directly, as cnitool does (ADD/DEL/CHECK/STATUS/GC/VERSION)');
  cni.addCommand(attachCommand('add', 'attach a network namespace to a network and print the result'));
  cni.addCommand(attachCommand('del', 'detach a network namespace from a network'));
  cni.addCommand(attachCommand('check', 'check an attachment made by add'));
  cni.addCommand(
    listCommand('status', 'ask every plugin of a network whether it is ready (CNI 1.1.0 lists only)', async (api, list) => {
      await api.getStatusNetworkList(list);
      process.stdout.write(`${list.name}: ready\n`);
    }),
  );
  cni.addCommand(listCommand('gc', 'remove every cached attachment of a network (DEL), then run plugin GC', (api, list) => api.gcNetworkList(list, undefined)));
  cni.addCommand(
    new Command('version')
      .summary("print the CNI versions nerdnet speaks, or a plugin's VERSION answer")
      .argument('[plugin...]', 'plugin types to ask, e.g. bridge host-local')
      .action(async (plugins: string[], _o: unknown, cmd: Command) => {
        if (plugins.length === 0) {
          printJSON({ cniVersion: CURRENT_VERSION, supportedVersions: ALL_VERSIONS });
          return;
        }
        const api = cniConfigFor(contextFrom(cmd));
        const out: Record<string, unknown> = {};
        for (const p of plugins) out[p] = await api.getVersionInfo(p);
        printJSON(out);
      }),
  );
  return cni;
}
