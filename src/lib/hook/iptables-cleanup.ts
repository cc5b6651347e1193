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

export async function cleanupIptables(containerID: string, networks: readonly string[], iptables = 'iptables'): Promise<CleanupReport> {
  const report: CleanupReport = { rulesRemoved: 0, chainsRemoved: [], warnings: [] };
  for (const table of TABLES) {
    let lines: string[];
    try {
      lines = (await run(iptables, ['-t', table, '-S'])).stdout.split('\n');
    } catch (e) {
      report.warnings.push(`cannot list iptables table ${table}: ${(e as Error).message}`);
      continue;
    }
    for (const line of rulesNaming(lines, containerID)) {
      // The rule text comes from iptables itself; split it as the shell would (quoted comments).
      const args = [...line.slice(3).matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\"/g, '"') : (m[2] ?? '')));
      try {
        await run(iptables, ['-t', table, '-D', ...args]);
        report.rulesRemoved++;
      } catch (e) {
        report.warnings.push(`cannot delete iptables rule "${line}": ${(e as Error).message}`);
      }
    }
  }
  for (const network of networks) {
    const chain = masqChainName(network, containerID);
    try {
      await run(iptables, ['-t', 'nat', '-F', chain]);
      await run(iptables, ['-t', 'nat', '-X', chain]);
      report.chainsRemoved.push(chain);
    } catch {
      // not there: the usual case after a DEL with the netns present
    }
  }
  return report;
}
