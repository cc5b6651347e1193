// Interleaved sampling: the tools compared take turns within each round, the first one rotating from
// round to round, so all of them see the same machine noise; one warm-up round is not recorded.
import { summarize, type Summary } from './stats.js';

export interface Sample {
  ms: number;
  // Peak RSS in KiB, when the runner measured it.
  maxRssKB?: number;
}

// One measured thing (a row and a tool) and how to take one sample of it.
export type Runner<K extends string> = [K, () => Promise<Sample>];

export interface Interleaved<K extends string> {
  times: Partial<Record<K, Summary>>;
  // Median peak RSS (KiB) of the runners that measured it.
  peakRssKB: Partial<Record<K, number>>;
}

// Each round runs the groups in order (a later group may use what an earlier one made, as `rm -f` the
// containers of `run -d`) and the runners of a group in rotating order.
export async function interleave<K extends string>(groups: ReadonlyArray<ReadonlyArray<Runner<K>>>, iterations: number): Promise<Interleaved<K>> {
  const samples: Partial<Record<K, number[]>> = {};
  const rss: Partial<Record<K, number[]>> = {};
  for (let i = -1; i < iterations; i++) {
    for (const group of groups) {
      for (let k = 0; k < group.length; k++) {
        const [key, fn] = group[(Math.max(i, 0) + k) % group.length] ?? group[0]!;
        const r = await fn();
        if (i < 0) continue;
        (samples[key] ??= []).push(r.ms);
        if (r.maxRssKB !== undefined) (rss[key] ??= []).push(r.maxRssKB);
      }
    }
  }
  const out: Interleaved<K> = { times: {}, peakRssKB: {} };
  for (const [k, s] of Object.entries(samples) as Array<[K, number[]]>) out.times[k] = summarize(s);
  for (const [k, s] of Object.entries(rss) as Array<[K, number[]]>) out.peakRssKB[k] = summarize(s).median;
  return out;
}
