// `nerdnet system prune` and `nerdnet network gc`: release the network state no live container owns
// (leases, cache entries, iptables rules and chains, veths, hosts records, names, port reservers)
// and, for system prune, remove stopped containers first as Docker does. Wiring and output only;
// the rules are in src/lib/gc and docs/reliability.md.
import { Command } from 'commander';
import { findGarbage, releaseGarbage, storeNamespaces, type GcEnv, type GcPlan, type ReleasedItem } from '../../lib/gc/index.js';
import { NerdnetError } from '../../lib/errors.js';
import { contextFrom } from '../context.js';
import { formatError } from '../error-text.js';
import { confirm } from './confirm.js';
import { addRuntimeOptions, managerFor, settingsOf, wiringOf } from '../wiring.js';

interface GcFlags {
  dryRun: boolean;
  allNamespaces: boolean;
}

function gcEnvFrom(cmd: Command, allNamespaces: boolean): Promise<GcEnv> {
  return wiringOf(cmd).gcEnv(allNamespaces);
}

function printNotes(plan: GcPlan, debug: (m: string) => void): void {
  for (const n of plan.notes) debug(n);
  for (const w of plan.warnings) process.stderr.write(`WARN ${w}\n`);
}

function printPlan(plan: GcPlan, debug: (m: string) => void): void {
  printNotes(plan, debug);
  if (plan.items.length > 0) process.stdout.write(`Would release network state:\n${plan.items.map((i) => `${i.line}\n`).join('')}`);
  process.stdout.write(`Total: ${plan.items.length} item(s) would be released (dry run: nothing was changed)\n`);
}

// Each item as it goes, then a total; failures are listed and make the command fail.
async function runGc(env: GcEnv, plan: GcPlan, debug: (m: string) => void): Promise<void> {
  printNotes(plan, debug);
  let header = false;
  const onResult = (r: ReleasedItem) => {
    if (r.outcome === 'released') {
      if (!header) process.stdout.write('Released network state:\n');
      header = true;
      process.stdout.write(`${r.item.line}\n`);
    } else if (r.outcome === 'kept') process.stderr.write(`INFO kept ${r.item.line}: ${r.detail ?? ''}\n`);
    else process.stderr.write(`WARN cannot release ${r.item.line}: ${r.detail ?? ''}\n`);
  };
  const report = await releaseGarbage(env, plan, onResult);
  process.stdout.write(`Total: ${report.released} item(s) released${report.failed > 0 ? `, ${report.failed} failed` : ''}\n`);
  if (report.failed > 0) throw new NerdnetError('ERR_HOST', `${report.failed} item(s) could not be released (see the warnings above); fix the cause and run the command again`);
}

const GC_SUMMARY = 'release network state that belongs to no live container';
const GC_HELP = `
Releases what containers that crashed or were killed left behind, and never anything of a live
container (a running nerdnet container, a container nerdctl/containerd runs, any CNI attachment
whose network namespace still exists):
  - CNI attachments in the libcni cache: DEL with the cached config (lease, veth, portmap rules),
    or CNI GC where the network's plugins speak CNI 1.1.0
  - host-local leases, iptables rules and CNI-* chains naming a dead container
  - veths on nerdnet bridges without a peer namespace
  - hosts records (meta.json) of stopped containers and hosts-store entries of removed ones
  - names of removed containers, port reservers of dead containers
  - state dirs of creates that were killed before they finished
Rules: docs/reliability.md.`;

export function networkGcCommand(): Command {
  return new Command('gc')
    .summary(GC_SUMMARY)
    .option('--dry-run', 'only list what would be released', false)
    .option('--all-namespaces', 'every namespace, not only --namespace', false)
    .addHelpText('after', GC_HELP)
    .exitOverride()
    .action(async (f: GcFlags, cmd: Command) => {
      const env = await gcEnvFrom(cmd, f.allNamespaces);
      const plan = await findGarbage(env);
      const debug = contextFrom(cmd).debug;
      if (f.dryRun) printPlan(plan, debug);
      else await runGc(env, plan, debug);
    });
}

interface PruneFlags extends GcFlags {
  force: boolean;
}

const PRUNE_WARNING = `WARNING! This will remove:
  - all stopped containers (of the namespace, or of every namespace with --all-namespaces)
  - network state that belongs to no live container (see \`nerdnet network gc --help\`)
Networks are kept (remove unused ones with \`nerdnet network prune\`).
Are you sure you want to continue? [y/N] `;

export function systemCommand(): Command {
  const system = new Command('system').description('manage nerdnet as a whole').exitOverride();
  const prune = new Command('prune')
    .summary('remove stopped containers, then release network state no live container owns')
    .option('-f, --force', 'do not ask for confirmation', false)
    .option('--dry-run', 'only list what would be removed and released (no prompt)', false)
    .option('--all-namespaces', 'every namespace, not only --namespace', false)
    .addHelpText('after', `\nLike docker system prune, stopped containers go first; then the network-state sweep of\n\`nerdnet network gc\` runs. Networks and images are kept.\n${GC_HELP}`)
    .exitOverride()
    .action(async (f: PruneFlags, cmd: Command) => {
      const ctx = contextFrom(cmd);
      if (!f.dryRun && !f.force && !(await confirm(PRUNE_WARNING))) return;
      const namespaces = f.allNamespaces ? await namespacesOf(cmd) : [settingsOf(cmd).namespace];
      const stopped: Array<{ ns: string; id: string }> = [];
      for (const ns of namespaces) {
        const mgr = await managerFor(withNamespace(cmd, ns));
        for (const v of await mgr.list({ all: true })) if (!v.state.running) stopped.push({ ns, id: v.record.id });
      }
      if (f.dryRun) {
        if (stopped.length > 0) process.stdout.write(`Would remove containers:\n${stopped.map((c) => `${c.id}\n`).join('')}`);
        // The sweep runs after the removals; those containers' state is released by rm itself.
        printPlan(await findGarbage(await gcEnvFrom(cmd, f.allNamespaces)), ctx.debug);
        return;
      }
      const removed: string[] = [];
      const errors: string[] = [];
      for (const c of stopped) {
        const mgr = await managerFor(withNamespace(cmd, c.ns));
        await mgr.remove(c.id).then(() => removed.push(c.id), (e: unknown) => errors.push(`cannot remove container ${c.id}: ${formatError(e)}`));
      }
      if (removed.length > 0) process.stdout.write(`Deleted Containers:\n${removed.map((id) => `${id}\n`).join('')}\n`);
      for (const e of errors) process.stderr.write(`WARN ${e}\n`);
      const env = await gcEnvFrom(cmd, f.allNamespaces);
      await runGc(env, await findGarbage(env), ctx.debug);
      if (errors.length > 0) throw new NerdnetError('ERR_HOST', `${errors.length} stopped container(s) could not be removed (see the warnings above)`);
    });
  system.addCommand(addRuntimeOptions(prune));
  return system;
}

async function namespacesOf(cmd: Command): Promise<string[]> {
  const env = await gcEnvFrom(cmd, true);
  return storeNamespaces(env.layout, env.runDir);
}

// The same command seen from another namespace (managerFor reads --namespace from the globals).
function withNamespace(cmd: Command, ns: string): Command {
  let root = cmd;
  while (root.parent) root = root.parent;
  root.setOptionValueWithSource('namespace', ns, 'cli');
  return cmd;
}
