// `npm run bench`: prints a table and writes bench/results/latest.json. Needs root and Debian's
// CNI plugins (the same ones the tests use); iptables chains it causes are removed afterwards.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { benchCniOverhead } from './cni-overhead.js';
import { fmt } from './stats.js';
// The same bookkeeping the tests use: remove only the CNI-* chains this run caused.
import { cniChains, removeNewChains } from '../test/helpers/host.js';

if (process.getuid?.() !== 0 || !existsSync('/usr/lib/cni/bridge')) {
  console.error('bench: needs root and Debian containernetworking-plugins (run scripts/setup as root)');
  process.exit(1);
}
const iterations = Number(process.env.BENCH_ITERATIONS ?? 30);
const before = cniChains();
try {
  const r = await benchCniOverhead(iterations);
  console.log(`CNI ADD+DEL, nerdctl chain (bridge+host-local, portmap, firewall, tuning), ${r.iterations} cycles each, interleaved`);
  console.log('                      median     p10        p90');
  console.log(`plugins spawned bare  ${fmt(r.direct.median).padEnd(10)} ${fmt(r.direct.p10).padEnd(10)} ${fmt(r.direct.p90)}`);
  console.log(`nerdnet CniConfig     ${fmt(r.nerdnet.median).padEnd(10)} ${fmt(r.nerdnet.p10).padEnd(10)} ${fmt(r.nerdnet.p90)}`);
  console.log(`library overhead      ${r.overheadPct.toFixed(1)} % of the plugins' own time (target < 5 %)`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', `${JSON.stringify({ date: new Date().toISOString(), cniOverhead: r }, null, 2)}\n`);
} finally {
  removeNewChains(before);
}
