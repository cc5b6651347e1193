// Start-path latency (issue 15): the commands a user waits for, nerdnet against Podman/netavark,
// interleaved command by command in one run. nerdnet runs the busybox image of scripts/demo
// (scripts/make-busybox-image, `image load`); Podman runs `--rootfs` on that image's layer, unpacked.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxImageArchive, BUSYBOX_REF } from '../test/helpers/busybox-image.js';
import { CLI, NerdnetBench, timed } from './harness.js';
import { interleave, type Interleaved, type Runner, type Sample } from './interleave.js';
import { PodmanBench } from './lifecycle-podman.js';
import type { Summary } from './stats.js';
import { STRACE, traceStarts, type Trace } from './trace.js';

export type Row = 'run-d' | 'run-rm-none' | 'run-rm-bridge' | 'rm-f' | 'version';
export type Tool = 'nerdnet' | 'podman' | 'node';
export type Key = `${Row}/${Tool}`;

export interface RunLatencyResult {
  iterations: number;
  times: Partial<Record<Key, Summary>>;
  // Peak RSS (KiB, median) during `run -d`: GNU time's %M, the largest process the CLI waited for.
  peakRssKB: Partial<Record<Key, number>>;
  // Network share of `run --rm` (bridge minus none, medians) per tool.
  shareMs: Partial<Record<Tool, number>>;
  // nerdnet / Podman, medians: per row, and `share` for the network share.
  ratios: Partial<Record<Row | 'share', number>>;
  // One `run -d` of each under strace (when installed): the processes it starts.
  traces: Partial<Record<'nerdnet' | 'podman', Trace>>;
  leaks: string[];
}

// The targets for nerdnet / Podman (no target for --version: it is measured against bare node).
export const TARGETS: Partial<Record<Row | 'share', number>> = { 'run-d': 1.3, 'run-rm-none': 1.2, share: 1.0, 'rm-f': 1.2 };

// The busybox image's layer unpacked into DIR (the archive is docker save's: manifest.json names it).
function unpackImage(archive: string, dir: string): void {
  const manifest = JSON.parse(spawnSync('tar', ['-xOf', archive, 'manifest.json'], { encoding: 'utf8' }).stdout) as Array<{ Layers: string[] }>;
  for (const layer of manifest[0]?.Layers ?? []) {
    const r = spawnSync('sh', ['-c', 'tar -xOf "$1" "$2" | tar -xf - -C "$3"', 'sh', archive, layer, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`unpacking ${layer} of ${archive}: ${r.stderr}`);
  }
}

export async function benchRunLatency(iterations: number): Promise<RunLatencyResult> {
  const nn = await NerdnetBench.create('run-latency');
  let pm: PodmanBench | undefined;
  const leaks: string[] = [];
  let measured: Interleaved<Key> = { times: {}, peakRssKB: {} };
  const started: string[] = [];
  const traces: RunLatencyResult['traces'] = {};
  try {
    const archive = await busyboxImageArchive();
    await nn.ok(['image', 'load', '-i', archive]);
    const rootfs = join(nn.env.dir, 'podman-rootfs');
    await mkdir(rootfs);
    unpackImage(archive, rootfs);
    const net = await nn.network('lat');
    pm = await PodmanBench.create();
    const p = pm;
    const running: Record<'nerdnet' | 'podman', string[]> = { nerdnet: [], podman: [] };
    const nerdnetRm = async (network: string): Promise<Sample> => nn.ok(['run', '--rm', '--network', network, BUSYBOX_REF, 'true']);
    const groups: Array<Array<Runner<Key>>> = [
      [
        ['run-d/nerdnet', async () => {
          const r = await nn.runDetached(net.name, { rss: true, image: BUSYBOX_REF, cmd: ['sleep', '60'] });
          running.nerdnet.push(r.id);
          started.push(r.id);
          return r;
        }],
        ['run-d/podman', async () => {
          const r = await p.runDetached(rootfs, ['sleep', '60'], { rss: true });
          running.podman.push(r.id);
          return r;
        }],
      ],
      [
        ['rm-f/nerdnet', async () => {
          const id = running.nerdnet.shift() ?? '';
          const r = await nn.ok(['rm', '-f', id]);
          nn.ids.delete(id);
          return r;
        }],
        ['rm-f/podman', () => p.removeForce(running.podman.shift() ?? '')],
      ],
      [['run-rm-none/nerdnet', () => nerdnetRm('none')], ['run-rm-none/podman', () => p.run('none', rootfs, ['true'])]],
      [['run-rm-bridge/nerdnet', () => nerdnetRm(net.name)], ['run-rm-bridge/podman', () => p.run('cni', rootfs, ['true'])]],
      [
        ['version/nerdnet', () => timed([process.execPath, CLI, '--version'], process.env)],
        ['version/podman', () => timed(['/usr/bin/podman', '--version'], process.env)],
        ['version/node', () => timed([process.execPath, '-e', ''], process.env)],
      ],
    ];
    measured = await interleave(groups, iterations);
    if (existsSync(STRACE)) {
      const name = `nnb-trace-${nn.tag}`;
      const n = nn.command(nn.runDetachedArgs(net.name, { image: BUSYBOX_REF, cmd: ['sleep', '60'], name }));
      nn.ids.add(name);
      traces.nerdnet = await traceStarts(n.argv, n.env);
      await nn.ok(['rm', '-f', name]);
      nn.ids.delete(name);
      traces.podman = await traceStarts(p.command(p.runDetachedArgs(rootfs, ['sleep', '60'], name)), process.env);
      await p.removeForce(name);
    }
  } finally {
    if (pm) leaks.push(...(await pm.cleanup()));
    leaks.push(...(await nn.cleanup(started)));
  }
  const { times, peakRssKB } = measured;
  const med = (row: Row, tool: Tool) => times[`${row}/${tool}`]?.median ?? NaN;
  const shareMs = { nerdnet: med('run-rm-bridge', 'nerdnet') - med('run-rm-none', 'nerdnet'), podman: med('run-rm-bridge', 'podman') - med('run-rm-none', 'podman') };
  const ratios: RunLatencyResult['ratios'] = { share: shareMs.nerdnet / shareMs.podman };
  for (const row of ['run-d', 'run-rm-none', 'run-rm-bridge', 'rm-f', 'version'] as const) ratios[row] = med(row, 'nerdnet') / med(row, 'podman');
  return { iterations, times, peakRssKB, shareMs, ratios, traces, leaks };
}
