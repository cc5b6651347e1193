// Hook cost: the OCI hook is a fresh process on every container start (createRuntime) and stop
// (postStop). Times the real hook of the built bundle on a real network (bridge + host-local,
// portmap, firewall, tuning) and a netns of its own, against a bare `node -e ''`, interleaved.
// The hook's command line and environment come from buildHookCommand, as runc would get them, once
// from a clean caller environment and once from one with NODE_EXTRA_CA_CERTS and NODE_OPTIONS set.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hookSelfCommand } from '../src/cli/wiring.js';
import { globalDefaults } from '../src/cli/context.js';
import { buildHookCommand, hookFor, type HookEvent } from '../src/lib/oci/hooks.js';
import { openDataStore } from '../src/lib/store/layout.js';
import { deleteLink, testSubnet, uniqueTag } from '../test/helpers/host.js';
import { summarize, type Summary } from './stats.js';

export const BUNDLE = fileURLToPath(new URL('../dist/nerdnet.js', import.meta.url));
const KOFFI_FLOCK = `require(${JSON.stringify(createRequire(import.meta.url).resolve('koffi'))}).load('libc.so.6').func('int flock(int fd, int op)')`;
// Other builds to time in the same run, e.g. BENCH_HOOK_VARIANTS=before=/tmp/old/nerdnet.js (a copy
// of an earlier dist/ with node_modules reachable from it): before/after figures from one run.
function variants(): Array<[string, string]> {
  return (process.env.BENCH_HOOK_VARIANTS ?? '')
    .split(',')
    .filter((v) => v.includes('='))
    .map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]);
}
const PLUGINS = '/usr/lib/cni';
// Stands in for what NODE_OPTIONS often loads (an APM agent, a TypeScript loader): 50 ms of start-up.
const PRELOAD = 'const end = Date.now() + 50; while (Date.now() < end);\n';

interface Timed {
  wall: number;
  // From the hook's own log line: ms of hook work after the process was ready (undefined before
  // the hook logged it).
  work?: number | undefined;
}

// A 64-hex container ID, as nerdctl makes them.
function containerID(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

function timeProcess(argv: readonly string[], env: NodeJS.ProcessEnv, input = ''): { ms: number; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(argv[0] ?? '', argv.slice(1), { env, input, stdio: ['pipe', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
  return { ms, stderr: r.stderr.toString() };
}

// `KEY=value` entries (an OCI hook's env) as an environment object; the last entry of a key wins.
function envOf(entries: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

export interface HookRow {
  label: string;
  wall: Summary;
  // Wall time minus the hook's own work: Node start, module load, argument and state parsing, exit.
  startup?: Summary;
  work?: Summary;
}

export interface HookCostResult {
  iterations: number;
  rows: HookRow[];
  // Median of (hook wall - hook work) minus the median bare `node -e ''`, per hook row.
  overheadMs: Record<string, number>;
  hookEnvHasNodeVars: boolean;
}

export async function benchHookCost(iterations = 30): Promise<HookCostResult> {
  const tag = uniqueTag();
  const work = await mkdtemp(join(tmpdir(), 'nerdnet-bench-hook-'));
  const dataRoot = join(work, 'data');
  const conf = join(work, 'net.d');
  const net = `nnbench-${tag}-hook`;
  const ns = `nnbench-${tag}-hook`;
  const global = [`--cni-netconfpath=${conf}`, `--cni-path=${PLUGINS}`, `--data-root=${dataRoot}`];
  const callerEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, NERDNET_CNI_CACHE_DIR: join(work, 'cni'), NERDNET_RUN_DIR: join(work, 'run') };
  writeFileSync(join(work, 'preload.cjs'), PRELOAD);
  const nodeEnv = { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', NODE_OPTIONS: `--require ${join(work, 'preload.cjs')}` };
  const pollutedEnv = { ...callerEnv, ...nodeEnv };
  // The hook entry the built CLI writes into containers (dist/nerdnet-hook.cjs).
  const self = hookSelfCommand({ path: process.execPath, args: [BUNDLE] });
  const esmEntry = buildHookCommand({ path: process.execPath, args: [BUNDLE] }, global, callerEnv);
  const clean = buildHookCommand(self, global, callerEnv);
  const polluted = buildHookCommand(self, global, pollutedEnv);
  const hookEnvHasNodeVars = polluted.env.some((e) => e.startsWith('NODE_'));
  let bridge = '';
  const { subnet } = testSubnet();
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [BUNDLE, ...global, ...args], { env: callerEnv, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nerdnet ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const samples = new Map<string, Timed[]>();
  const push = (label: string, t: Timed): void => {
    samples.set(label, [...(samples.get(label) ?? []), t]);
  };
  try {
    bridge = `br-${cli(['network', 'create', net, '--subnet', subnet]).trim().slice(0, 12)}`;
    // Where nerdnet keeps a container's state for this data root (the hook checks the annotation).
    const layout = await openDataStore(dataRoot, globalDefaults().address);
    // One hook run: the state runc would pipe in, for a container-less attach to our own netns.
    const hook = async (cmd: typeof clean, event: HookEvent, id: string): Promise<Timed> => {
      const stateDir = layout.stateDir('default', id);
      await mkdir(stateDir, { recursive: true });
      const state = {
        ociVersion: '1.0.2',
        id,
        status: event === 'createRuntime' ? 'creating' : 'stopped',
        bundle: join(work, 'bundle'),
        annotations: {
          'nerdctl/namespace': 'default',
          'nerdctl/name': `bench-${id.slice(0, 8)}`,
          'nerdctl/state-dir': stateDir,
          'nerdctl/hostname': id.slice(0, 12),
          'nerdctl/networks': JSON.stringify([net]),
          'nerdctl/network-namespace': `/run/netns/${ns}`,
        },
      };
      const h = hookFor(cmd, event);
      const { ms } = timeProcess(h.args ?? [h.path], envOf(h.env ?? []), JSON.stringify(state));
      const log = readFileSync(join(stateDir, `oci-hook.${event}.log`), 'utf8');
      const m = /hook work ([\d.]+) ms/.exec(log);
      return { wall: ms, work: m ? Number(m[1]) : undefined };
    };
    // A container's life: its netns exists at createRuntime and is gone by postStop (runc's order).
    const cycle = async (cmd: typeof clean, label: string, id: string) => {
      spawnSync('ip', ['netns', 'add', ns], { stdio: 'ignore' });
      try {
        push(`createRuntime${label}`, await hook(cmd, 'createRuntime', id));
      } finally {
        spawnSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
      }
      push(`postStop${label}`, await hook(cmd, 'postStop', id));
    };
    const hookEnv = envOf(clean.env);
    const others = variants().map(([label, bundle]): [string, (i: number) => Promise<void>] => {
      const cmd = buildHookCommand({ path: process.execPath, args: [bundle] }, global, callerEnv);
      return [label, (i) => cycle(cmd, ` [${label}]`, containerID(`${tag}-${label}-${i}`))];
    });
    const steps: Array<[string, (i: number) => Promise<void>]> = [
      ['bare', async () => push("node -e ''", { wall: timeProcess([process.execPath, '-e', ''], hookEnv).ms })],
      ['bareNodeEnv', async () => push("node -e '' inheriting NODE_*", { wall: timeProcess([process.execPath, '-e', ''], { ...hookEnv, ...nodeEnv }).ms })],
      ['version', async () => push('nerdnet --version', { wall: timeProcess([process.execPath, BUNDLE, '--version'], hookEnv).ms })],
      // What the hook's first lock adds (flock.ts loads koffi lazily, so it counts as hook work).
      ['koffi', async () => push("node loading koffi's flock", { wall: timeProcess([process.execPath, '-e', KOFFI_FLOCK], hookEnv).ms })],
      ['clean', (i) => cycle(clean, '', containerID(`${tag}-clean-${i}`))],
      ['polluted', (i) => cycle(polluted, ' (caller has NODE_*)', containerID(`${tag}-polluted-${i}`))],
      // The hook through the CLI's ES module entry, as before nerdnet-hook.cjs: before/after in one run.
      ['esm', (i) => cycle(esmEntry, ' [via dist/nerdnet.js]', containerID(`${tag}-esm-${i}`))],
      ...others,
    ];
    // Warm up (page cache, iptables chains), then rotate the order every iteration.
    for (const [, step] of steps) await step(1_000_000);
    samples.clear();
    for (let i = 0; i < iterations; i++) {
      for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]![1](i);
    }
  } finally {
    try {
      if (bridge) cli(['network', 'rm', net]);
    } finally {
      spawnSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
      if (bridge) deleteLink(bridge);
      rmSync(join('/var/lib/cni/networks', net), { recursive: true, force: true });
      await rm(work, { recursive: true, force: true });
    }
  }
  const rows: HookRow[] = [...samples].map(([label, ts]) => {
    const works = ts.map((t) => t.work).filter((w): w is number => w !== undefined);
    const row: HookRow = { label, wall: summarize(ts.map((t) => t.wall)) };
    if (works.length === ts.length) {
      row.work = summarize(works);
      row.startup = summarize(ts.map((t) => t.wall - (t.work ?? 0)));
    }
    return row;
  });
  const bare = rows.find((r) => r.label === "node -e ''")?.wall.median ?? NaN;
  const overheadMs = Object.fromEntries(rows.filter((r) => r.label !== "node -e ''").map((r) => [r.label, (r.startup ?? r.wall).median - bare]));
  return { iterations, rows, overheadMs, hookEnvHasNodeVars };
}

export function bundleMissing(): string | undefined {
  if (!existsSync(BUNDLE)) return 'needs the bundle: npm run build';
  for (const p of ['portmap', 'firewall', 'tuning']) if (!existsSync(join(PLUGINS, p))) return `needs Debian's CNI plugin ${p}`;
  return undefined;
}
