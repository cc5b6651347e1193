// Leftover iptables state after CNI DEL (spec nerdctl 6.6 c): rules naming the container, and the
// bridge plugin's masquerade chain, which a DEL without a netns does not remove (#1872, #3253).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TABLES = ['nat', 'filter', 'mangle'] as const;

// The bridge plugin's ipMasq chain: `CNI-` + first 24 hex of sha512(network name + container ID).
export function masqChainName(network: string, containerID: string): string {
  return `CNI-${createHash('sha512').update(network + containerID).digest('hex').slice(0, 24)}`;
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

// Delete every rule of `table` that `match` selects; returns how many went and what failed.
export async function deleteRulesMatching(table: string, match: (line: string) => boolean, report: CleanupReport, iptables = 'iptables'): Promise<void> {
  let lines: string[];
  try {
    lines = (await run(iptables, ['-t', table, '-S'])).stdout.split('\n');
  } catch (e) {
    report.warnings.push(`cannot list iptables table ${table}: ${(e as Error).message}`);
    return;
  }
  for (const line of lines.filter((l) => l.startsWith('-A ') && match(l))) {
    try {
      await run(iptables, ['-t', table, '-D', ...ruleArgs(line)]);
      report.rulesRemoved++;
    } catch (e) {
      report.warnings.push(`cannot delete iptables rule "${line}": ${(e as Error).message}`);
    }
  }
}

// Flushes and deletes one nat chain; false when it is not there (the usual case after a DEL) or
// still referenced by a rule that was not removed.
export async function removeNatChain(chain: string, iptables = 'iptables'): Promise<boolean> {
  try {
    await run(iptables, ['-t', 'nat', '-F', chain]);
    await run(iptables, ['-t', 'nat', '-X', chain]);
    return true;
  } catch {
    return false;
  }
}

export async function cleanupIptables(containerID: string, networks: readonly string[], iptables = 'iptables'): Promise<CleanupReport> {
  const report: CleanupReport = { rulesRemoved: 0, chainsRemoved: [], warnings: [] };
  for (const table of TABLES) await deleteRulesMatching(table, (l) => rulesNaming([l], containerID).length > 0, report, iptables);
  for (const network of networks) {
    const chain = masqChainName(network, containerID);
    if (await removeNatChain(chain, iptables)) report.chainsRemoved.push(chain);
  }
  return report;
}

// The firewall plugin's per-bridge isolation rules (`-i br ! -o br`) outlive the network: its DEL
// never removes them. `network rm` calls this once the bridge is gone.
export async function removeBridgeRules(bridge: string, iptables = 'iptables'): Promise<CleanupReport> {
  const report: CleanupReport = { rulesRemoved: 0, chainsRemoved: [], warnings: [] };
  const names = new RegExp(`(^| )-[io] ${bridge.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`);
  await deleteRulesMatching('filter', (l) => /^-A CNI-/.test(l) && names.test(l), report, iptables);
  return report;
}
