// Library overhead: nerdnet's ADD+DEL cycle on the 4-plugin nerdctl chain against the same plugins
// spawned directly with the same stdin (the floor any runtime pays) and against Go's libcni (what
// nerdctl uses) when Go and Debian's libcni sources are there. Runs interleaved, one netns.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CniConfig } from '../src/lib/cni/api.js';
import { confListFromBytes } from '../src/lib/cni/conf.js';
import { canonicalJSON } from '../src/lib/cni/request.js';
import { buildGoHarness, goMissing, GoLibcni } from './cni-overhead-go.js';
import { summarize, type Summary } from './stats.js';

const PLUGINS = '/usr/lib/cni';

function run(path: string, stdin: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new Error(`${path} exit ${code}: ${Buffer.concat(out).toString()}`))));
    child.stdin.end(stdin);
  });
}

export interface OverheadResult {
  iterations: number;
  direct: Summary;
  nerdnet: Summary;
  overheadPct: number;
  // Go's libcni, timed inside the Go process; undefined with the reason in goSkipped.
  goLibcni?: Summary;
  goOverheadPct?: number;
  goSkipped?: string;
}

export async function benchCniOverhead(iterations = 30): Promise<OverheadResult> {
  const tag = randomBytes(3).toString('hex');
  const work = await mkdtemp(join(tmpdir(), 'nerdnet-bench-'));
  const ns = `nnbench-${tag}`;
  const bridge = `nnbb${tag}`;
  const name = `nnbench-${tag}`;
  const plugins = [
    { type: 'bridge', bridge, isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.200.254.0/24', gateway: '10.200.254.1' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(work, 'leases') } },
    { type: 'portmap', capabilities: { portMappings: true } },
    { type: 'firewall', ingressPolicy: 'same-bridge' },
    { type: 'tuning' },
  ];
  const list = confListFromBytes(Buffer.from(JSON.stringify({ cniVersion: '1.0.0', name, plugins })));
  const cni = new CniConfig({ path: [PLUGINS], cacheDir: join(work, 'cache') });
  execFileSync('ip', ['netns', 'add', ns]);
  const netns = `/run/netns/${ns}`;
  const direct: number[] = [];
  const lib: number[] = [];
  const goTimes: number[] = [];
  let go: GoLibcni | undefined;
  let skipped: string | undefined;
  const timed = async (fn: () => Promise<void>) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  try {
    const directCycle = async (cid: string) => {
      const base = { ...process.env, CNI_CONTAINERID: cid, CNI_NETNS: netns, CNI_IFNAME: 'eth0', CNI_PATH: PLUGINS, CNI_ARGS: '' };
      let prev: unknown;
      for (const p of plugins) {
        const req: Record<string, unknown> = { ...p, cniVersion: '1.0.0', name };
        if (prev !== undefined) req.prevResult = prev;
        prev = JSON.parse(await run(join(PLUGINS, p.type), canonicalJSON(req), { ...base, CNI_COMMAND: 'ADD' }));
      }
      for (const p of [...plugins].reverse()) {
        await run(join(PLUGINS, p.type), canonicalJSON({ ...p, cniVersion: '1.0.0', name, prevResult: prev }), { ...base, CNI_COMMAND: 'DEL' });
      }
    };
    const libCycle = async (cid: string) => {
      const rt = { containerID: cid, netns, ifName: 'eth0' };
      await cni.addNetworkList(list, rt);
      await cni.delNetworkList(list, rt);
    };
    skipped = goMissing();
    if (!skipped) {
      const conflist = join(work, `${name}.conflist`);
      await writeFile(conflist, JSON.stringify({ cniVersion: '1.0.0', name, plugins }));
      go = GoLibcni.start(buildGoHarness(work), { conflist, netns, pluginDirs: PLUGINS, cacheDir: join(work, 'go-cache') });
    }
    const cycles: Array<[number[], (cid: string) => Promise<number>]> = [
      [direct, (cid) => timed(() => directCycle(cid))],
      [lib, (cid) => timed(() => libCycle(cid))],
    ];
    const harness = go;
    if (harness) cycles.push([goTimes, (cid) => harness.cycle(cid)]);
    // Warm up every path (page cache, iptables chains created once), then rotate the order.
    for (const [k, [, run]] of cycles.entries()) await run(`warm-${k}-${tag}`);
    let n = 0;
    for (let i = 0; i < iterations; i++) {
      const shift = i % cycles.length;
      for (const [samples, run] of [...cycles.slice(shift), ...cycles.slice(0, shift)]) samples.push(await run(`bench-${tag}-${n++}`));
    }
  } finally {
    await go?.close();
    execFileSync('ip', ['netns', 'delete', ns]);
    try {
      execFileSync('ip', ['link', 'delete', bridge], { stdio: 'ignore' });
    } catch {
      // bridge never made
    }
    await rm(work, { recursive: true, force: true });
  }
  const d = summarize(direct);
  const l = summarize(lib);
  const result: OverheadResult = { iterations, direct: d, nerdnet: l, overheadPct: ((l.median - d.median) / d.median) * 100 };
  if (goTimes.length > 0) {
    result.goLibcni = summarize(goTimes);
    result.goOverheadPct = ((result.goLibcni.median - d.median) / d.median) * 100;
  } else result.goSkipped = skipped;
  return result;
}
