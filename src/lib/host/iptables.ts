// Leftover iptables state after CNI DEL: rules naming the container, and the
// bridge plugin's masquerade chain, which a DEL without a netns does not remove (#1872, #3253).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The bridge plugin's ipMasq chain: `CNI-` + first 24 hex of sha512(network name + container ID).
export function masqChainName(network: string, containerID: string): string {
  return `CNI-${createHash('sha512').update(network + containerID).digest('hex').slice(0, 24)}`;
}

// portmap's per-container DNAT chain, libcni utils.MustFormatChainNameWithPrefix(name, id, "DN-"):
// 28 characters in all. It outlives a DEL that had no port mappings to work from.
export function dnatChainName(network: string, containerID: string): string {
  return `CNI-DN-${createHash('sha512').update(network + containerID).digest('hex').slice(0, 21)}`;
}

// iptables -S lines of a table that name the container: the ID as a whole token (plugins write it
// in comments as `id: \"<id>\"`), so `ns-abc` does not match `ns-abcd`.
export function rulesNaming(ruleLines: string[], containerID: string): string[] {
  const escaped = containerID.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const token = new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_.-])`);
  return ruleLines.filter((l) => l.startsWith('-A ') && token.test(l));
}

export interface CleanupReport {
  rulesRemoved: number;
  chainsRemoved: string[];
  warnings: string[];
}

// Split an `iptables -S` rule the way the shell would (quoted comments keep their spaces).
function ruleArgs(line: string): string[] {
  return [...line.slice(3).matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\"/g, '"') : (m[2] ?? '')));
}

export interface TableDump {
  // `-A CHAIN ...` lines, as `iptables -S` prints them.
  rules: string[];
  chains: Set<string>;
}

// Every loaded table in one `iptables-save` (one exec instead of one `iptables -S` per table, and a
// table nobody uses is not created by listing it).
export async function dumpTables(iptables = 'iptables'): Promise<Map<string, TableDump>> {
  const { stdout } = await run(`${iptables}-save`, [], { maxBuffer: 64 * 1024 * 1024 });
  const tables = new Map<string, TableDump>();
  let current: TableDump | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1), (current = { rules: [], chains: new Set() }));
    else if (line.startsWith(':')) current?.chains.add(line.slice(1).split(' ')[0] ?? '');
    else if (line.startsWith('-A ')) current?.rules.push(line);
  }
  return tables;
}

async function dumpOrWarn(report: CleanupReport, iptables: string): Promise<Map<string, TableDump> | undefined> {
  try {
    return await dumpTables(iptables);
  } catch (e) {
    report.warnings.push(`cannot list iptables rules: ${(e as Error).message}`);
    return undefined;
  }
}

// Delete the given `-A` lines of `table`; counts what went and reports what failed.
async function deleteRules(table: string, lines: readonly string[], report: CleanupReport, iptables: string): Promise<void> {
  for (const line of lines) {
    try {
      await run(iptables, ['-t', table, '-D', ...ruleArgs(line)]);
      report.rulesRemoved++;
    } catch (e) {
      report.warnings.push(`cannot delete iptables rule "${line}": ${(e as Error).message}`);
    }
  }
}

// Flushes and deletes one nat chain; false when it is still referenced by a rule that was not removed.
async function removeNatChain(chain: string, iptables: string): Promise<boolean> {
  try {
    await run(iptables, ['-t', 'nat', '-F', chain]);
    await run(iptables, ['-t', 'nat', '-X', chain]);
    return true;
  } catch {
    return false;
  }
}

// The rules naming `containerID` in every table, then those of `natChains` (the bridge plugin's
// masquerade chain, portmap's DNAT chain) that exist. Nothing there, the usual case after a DEL,
// costs one iptables-save.
export async function cleanupIptables(containerID: string, natChains: readonly string[], iptables = 'iptables'): Promise<CleanupReport> {
  const report: CleanupReport = { rulesRemoved: 0, chainsRemoved: [], warnings: [] };
  const dump = await dumpOrWarn(report, iptables);
  if (!dump) return report;
  for (const [table, { rules }] of dump) await deleteRules(table, rulesNaming(rules, containerID), report, iptables);
  const nat = dump.get('nat')?.chains ?? new Set<string>();
  for (const chain of natChains) {
    if (nat.has(chain) && (await removeNatChain(chain, iptables))) report.chainsRemoved.push(chain);
  }
  return report;
}

// The firewall plugin's per-bridge isolation rules (`-i br ! -o br`) outlive the network: its DEL
// never removes them. `network rm` calls this once the bridge is gone.
export async function removeBridgeRules(bridge: string, iptables = 'iptables'): Promise<CleanupReport> {
  const report: CleanupReport = { rulesRemoved: 0, chainsRemoved: [], warnings: [] };
  const names = new RegExp(`(^| )-[io] ${bridge.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`);
  const rules = (await dumpOrWarn(report, iptables))?.get('filter')?.rules ?? [];
  await deleteRules('filter', rules.filter((l) => /^-A CNI-/.test(l) && names.test(l)), report, iptables);
  return report;
}

// Everything of one container a DEL may have left: the rules naming it, its masquerade and DNAT chains.
export function sweepIptables(containerID: string, networks: readonly string[], iptables = 'iptables'): Promise<CleanupReport> {
  return cleanupIptables(containerID, networks.flatMap((n) => [masqChainName(n, containerID), dnatChainName(n, containerID)]), iptables);
}
