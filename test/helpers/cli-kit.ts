// The verbs the end-to-end suites share over their own way of running the CLI: `ok` (exit 0 or the
// test fails with stderr), `runD` (a detached container, remembered for the leak audit) and
// `network` (a test network on a free 10.200.x.0/24, remembered for the cleanup).
import assert from 'node:assert/strict';
import { testSubnet } from './host.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface TestNetwork {
  name: string;
  bridge: string;
  subnet: string;
  prefix: string;
}

export function cliKit(nn: (args: string[]) => CliRun, networkPrefix: string) {
  const ids: string[] = [];
  const networks: TestNetwork[] = [];
  const ok = (args: string[]): string => {
    const r = nn(args);
    assert.equal(r.status, 0, `nerdnet ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const runD = (args: string[]): string => {
    const id = ok(['run', '-d', ...args]).trim();
    ids.push(id);
    return id;
  };
  const network = (label: string): TestNetwork => {
    const { subnet, prefix } = testSubnet();
    const name = `${networkPrefix}-${label}`;
    const id = ok(['network', 'create', name, '--subnet', subnet]).trim();
    const n = { name, bridge: `br-${id.slice(0, 12)}`, subnet, prefix };
    networks.push(n);
    return n;
  };
  return { ids, networks, ok, runD, network };
}
