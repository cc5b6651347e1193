// Scale: the start latency (`run -d`) of the Nth container on one network for N = 1..n, the memory
// that goes with it, and a control: starts on another network before and while the n containers run
// (no per-start work may grow with containers that share no network). Everything removed at the end.
import { readdirSync, readFileSync } from 'node:fs';
import { NerdnetBench } from './harness.js';
import { hookPhases, medianPhases, type HookPhases } from './hook-phases.js';
import { summarize, type Summary } from './stats.js';

export interface ScaleResult {
  n: number;
  // Wall time of `run -d` for container i+1, in start order.
  startMs: number[];
  first10: Summary;
  last10: Summary;
  // last10.median / first10.median (target <= 1.2).
  growth: number;
  // Median start latency per bucket of consecutive containers, e.g. "1-20".
  buckets: Array<{ range: string; median: number }>;
  control: { before: Summary; after: Summary; growth: number; count: number };
  // Median hook phases (hook-phases.ts) of containers 1-10, the last 10, and the control's starts.
  phases: Record<'first10' | 'last10' | 'controlBefore' | 'controlAfter', HookPhases | undefined>;
  // Peak RSS (KiB) of the largest process of an attached `run --rm` (CLI, runc, hook, plugins)
  // with 0 and with n containers on the network.
  peakRssKB: { empty: number; full: number };
  // Resident memory of the running containers' processes (monitor sh, runc run, sleep) at n, KiB.
  residentKB: { total: number; perContainer: number };
  removeAllMs: number;
  leaks: string[];
}

const CONTROL = 10;

function status(pid: string): { ppid: number; rssKB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { ppid: Number(/^PPid:\s+(\d+)/m.exec(text)?.[1] ?? 0), rssKB: Number(/^VmRSS:\s+(\d+)/m.exec(text)?.[1] ?? 0) };
  } catch {
    return undefined;
  }
}

// Sum of VmRSS over the monitors and all their descendants.
function residentOf(roots: number[]): number {
  const procs = new Map<number, { ppid: number; rssKB: number }>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const s = status(pid);
    if (s) procs.set(Number(pid), s);
  }
  const inTree = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of procs) {
      if (!inTree.has(pid) && inTree.has(s.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of inTree) total += procs.get(pid)?.rssKB ?? 0;
  return total;
}

export async function benchScale(n: number): Promise<ScaleResult> {
  const nn = await NerdnetBench.create('scale');
  const all: string[] = [];
  const startMs: number[] = [];
  const phases: Array<HookPhases | undefined> = [];
  const leaks: string[] = [];
  let result: Omit<ScaleResult, 'leaks' | 'removeAllMs'> | undefined;
  let removeAllMs = NaN;
  try {
    const [a, b] = [await nn.network('a'), await nn.network('b')];
    const controlStarts = async () => {
      const ms: number[] = [];
      const ids: string[] = [];
      for (let i = 0; i < CONTROL; i++) {
        const r = await nn.runDetached(b.name);
        all.push(r.id);
        ids.push(r.id);
        ms.push(r.ms);
      }
      const logged = ids.map((id) => hookPhases(nn.env.store(), id));
      await nn.removeContainers(ids);
      return { ms, phases: medianPhases(logged) };
    };
    const attachedRss = async () => (await nn.ok(['run', '--rm', '--network', a.name, '--rootfs', nn.rootfs, 'true'], { rss: true })).maxRssKB ?? NaN;
    // Warm-up (page cache, the plugins' shared chains), then the control on an empty host.
    await nn.removeContainers([(await nn.runDetached(b.name)).id]);
    const before = await controlStarts();
    const empty = await attachedRss();
    for (let i = 0; i < n; i++) {
      const r = await nn.runDetached(a.name);
      all.push(r.id);
      startMs.push(r.ms);
      phases.push(hookPhases(nn.env.store(), r.id));
    }
    const after = await controlStarts();
    const full = await attachedRss();
    const total = residentOf(nn.env.shimPids());
    const width = Math.max(1, Math.ceil(n / 10));
    const buckets: ScaleResult['buckets'] = [];
    for (let lo = 0; lo < n; lo += width) {
      const hi = Math.min(n, lo + width);
      buckets.push({ range: `${lo + 1}-${hi}`, median: summarize(startMs.slice(lo, hi)).median });
    }
    const first10 = summarize(startMs.slice(0, 10));
    const last10 = summarize(startMs.slice(-10));
    const [cb, ca] = [summarize(before.ms), summarize(after.ms)];
    result = {
      n,
      startMs,
      first10,
      last10,
      growth: last10.median / first10.median,
      buckets,
      control: { before: cb, after: ca, growth: ca.median / cb.median, count: CONTROL },
      phases: { first10: medianPhases(phases.slice(0, 10)), last10: medianPhases(phases.slice(-10)), controlBefore: before.phases, controlAfter: after.phases },
      peakRssKB: { empty, full },
      residentKB: { total, perContainer: total / Math.max(1, n) },
    };
    const t0 = performance.now();
    await nn.removeContainers([...nn.ids], 4);
    removeAllMs = performance.now() - t0;
  } finally {
    leaks.push(...(await nn.cleanup(all)));
  }
  return { ...result, removeAllMs, leaks };
}
