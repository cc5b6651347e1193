// A container start's phases as its createRuntime hook logged them (`<state dir>/oci-hook.createRuntime.log`,
// src/lib/hook/events.ts): how long the hook process took to be ready, its work, the CNI lock wait,
// the plugins' ADD, and the part of the hosts store record left after the ADD (the rest of it ran
// alongside the chained plugins). Lets the scale section say which part of a start grew.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from './stats.js';

export interface HookPhases {
  ready: number;
  work: number;
  lockWait: number;
  add: number;
  hostsAfterAdd: number;
}

const PHASES: Array<[keyof HookPhases, RegExp]> = [
  ['ready', /process ready after ([\d.]+) ms/],
  ['work', /hook work ([\d.]+) ms/],
  ['lockWait', /CNI lock wait ([\d.]+) ms/],
  ['add', /ADD of \d+ network\(s\) ([\d.]+) ms/],
  // "hosts store X ms, Y ms of it after the ADD"; older hooks wrote only "hosts store X ms", all after.
  ['hostsAfterAdd', /hosts store (?:[\d.]+ ms, ([\d.]+) ms of it after the ADD|([\d.]+) ms$)/m],
];

// The phases of the last createRuntime in a container's log, or undefined without one.
export function hookPhases(store: string, id: string, ns = 'default'): HookPhases | undefined {
  let text: string;
  try {
    text = readFileSync(join(store, 'containers', ns, id, 'oci-hook.createRuntime.log'), 'utf8');
  } catch {
    return undefined;
  }
  const last = text.slice(text.lastIndexOf('CNI lock wait'));
  const out: Partial<HookPhases> = {};
  for (const [key, re] of PHASES) {
    const m = re.exec(last);
    const value = m?.[1] ?? m?.[2];
    if (value === undefined) return undefined;
    out[key] = Number(value);
  }
  return out as HookPhases;
}

// Median of each phase over the starts that logged them.
export function medianPhases(all: ReadonlyArray<HookPhases | undefined>): HookPhases | undefined {
  const got = all.filter((p): p is HookPhases => p !== undefined);
  if (got.length === 0) return undefined;
  const median = (k: keyof HookPhases) => summarize(got.map((p) => p[k])).median;
  return { ready: median('ready'), work: median('work'), lockWait: median('lockWait'), add: median('add'), hostsAfterAdd: median('hostsAfterAdd') };
}
