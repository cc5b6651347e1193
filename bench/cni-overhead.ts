// Library overhead: nerdnet's ADD+DEL cycle on the 4-plugin nerdctl chain against the same plugins
// spawned directly with the same stdin (the floor any runtime pays). Runs interleaved, one netns.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CniConfig } from '../src/lib/cni/api.js';
import { confListFromBytes } from '../src/lib/cni/conf.js';
import { canonicalJSON } from '../src/lib/cni/request.js';
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
    // Warm up both paths (page cache, iptables chains created once).
    await directCycle(`warm-d-${tag}`);
    await libCycle(`warm-l-${tag}`);
    for (let i = 0; i < iterations; i++) {
      const order = i % 2 === 0 ? ['d', 'l'] : ['l', 'd'];
      for (const which of order) {
        const t0 = performance.now();
        if (which === 'd') await directCycle(`bench-d-${tag}-${i}`);
        else await libCycle(`bench-l-${tag}-${i}`);
        (which === 'd' ? direct : lib).push(performance.now() - t0);
      }
    }
  } finally {
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
  return { iterations, direct: d, nerdnet: l, overheadPct: ((l.median - d.median) / d.median) * 100 };
}
