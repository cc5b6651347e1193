// Pull throughput: `nerdnet pull` of a ~100 MB one-layer image from a docker-registry on 127.0.0.1
// (started here, its own storage) into a fresh data root, against `skopeo copy` of it to a local
// dir; the peak RSS of both, and nerdnet's again with a layer twice as big (streaming: RSS must not
// grow with layer size). nerdnet's time includes unpacking the layer; skopeo's is download only.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CLI, GNU_TIME, check, timed, type Timed } from './harness.js';
import type { BenchSection } from './section.js';
import { fmt, summarize } from './stats.js';
import { REGISTRY_BIN, SKOPEO_BIN, skopeoCopy, startRegistry } from '../test/helpers/registry.js';

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return `sha256:${h.digest('hex')}`;
}

// A docker-archive of one layer holding `mb` MB of random bytes (incompressible, like real data).
async function bigArchive(dir: string, mb: number): Promise<string> {
  const root = join(dir, `rootfs-${mb}`);
  await mkdir(root, { recursive: true });
  const fd = openSync(join(root, 'data.bin'), 'w');
  try {
    execFileSync('head', ['-c', `${mb}M`, '/dev/urandom'], { stdio: ['ignore', fd, 'inherit'] });
  } finally {
    closeSync(fd);
  }
  const out = join(dir, `archive-${mb}`);
  await mkdir(out, { recursive: true });
  execFileSync('tar', ['-C', root, '--owner=0', '--group=0', '-cf', join(out, 'layer.tar'), '.']);
  const diffID = await sha256File(join(out, 'layer.tar'));
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['true'] }, rootfs: { type: 'layers', diff_ids: [diffID] } });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  await writeFile(join(out, configName), config);
  await writeFile(join(out, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [`bench/big:${mb}`], Layers: ['layer.tar'] }]));
  const tar = join(dir, `big-${mb}.tar`);
  execFileSync('tar', ['-C', out, '-cf', tar, 'manifest.json', configName, 'layer.tar']);
  return tar;
}

export const pullSection: BenchSection = {
  name: 'pull',
  missing: () => {
    if (!existsSync(CLI)) return 'needs the built CLI (npm run build)';
    for (const b of [REGISTRY_BIN, SKOPEO_BIN, GNU_TIME]) if (!existsSync(b)) return `needs ${b} (scripts/setup installs docker-registry and skopeo)`;
    return undefined;
  },
  async run({ iterations }) {
    const runs = Math.max(1, Math.min(iterations, Number(process.env.BENCH_PULL_RUNS ?? 3)));
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-bench-pull-'));
    const reg = await startRegistry(join(dir, 'registry'));
    try {
      for (const mb of [100, 200]) skopeoCopy(`docker-archive:${await bigArchive(dir, mb)}`, `docker://${reg.host}/bench/big:${mb}`);
      const env = { ...process.env, DOCKER_CONFIG: join(dir, 'docker') };
      const nerdnet = async (mb: number, i: number) => {
        const r = check('nerdnet pull', await timed([process.execPath, CLI, '--data-root', join(dir, `root-${mb}-${i}`), 'pull', '-q', `${reg.host}/bench/big:${mb}`], env, { rss: true }));
        await rm(join(dir, `root-${mb}-${i}`), { recursive: true, force: true });
        return r;
      };
      const skopeo = async (i: number) => {
        const r = check('skopeo copy', await timed([SKOPEO_BIN, '--insecure-policy', 'copy', '-q', '--src-tls-verify=false', `docker://${reg.host}/bench/big:100`, `dir:${join(dir, `skopeo-${i}`)}`], env, { rss: true }));
        await rm(join(dir, `skopeo-${i}`), { recursive: true, force: true });
        return r;
      };
      const n100: Timed[] = [];
      const s100: Timed[] = [];
      const n200: Timed[] = [];
      for (let i = 0; i < runs; i++) {
        n100.push(await nerdnet(100, i));
        s100.push(await skopeo(i));
        n200.push(await nerdnet(200, i));
      }
      const size = (await stat(join(dir, 'archive-100', 'layer.tar'))).size;
      const nt = summarize(n100.map((r) => r.ms));
      const st = summarize(s100.map((r) => r.ms));
      const n200t = summarize(n200.map((r) => r.ms));
      const rss = (rs: Timed[]) => Math.max(...rs.map((r) => r.maxRssKB ?? 0));
      const ratio = nt.median / st.median;
      const col = (s: string, w: number) => s.padEnd(w);
      const table = [
        `pull of a ${(size / 1e6).toFixed(0)} MB one-layer image from docker-registry on 127.0.0.1, ${runs} runs each, interleaved`,
        `${col('', 40)}${col('median', 11)}${col('p10', 11)}${col('p90', 11)}peak RSS`,
        `${col('nerdnet pull (download + unpack)', 40)}${col(fmt(nt.median), 11)}${col(fmt(nt.p10), 11)}${col(fmt(nt.p90), 11)}${(rss(n100) / 1024).toFixed(0)} MiB`,
        `${col('skopeo copy to dir: (download only)', 40)}${col(fmt(st.median), 11)}${col(fmt(st.p10), 11)}${col(fmt(st.p90), 11)}${(rss(s100) / 1024).toFixed(0)} MiB`,
        `${col('nerdnet pull, layer twice as big', 40)}${col(fmt(n200t.median), 11)}${col(fmt(n200t.p10), 11)}${col(fmt(n200t.p90), 11)}${(rss(n200) / 1024).toFixed(0)} MiB`,
        `nerdnet / skopeo: ${ratio.toFixed(2)}x (target 1.2x); RSS must not grow with layer size`,
      ];
      return { table, json: { bytes: size, runs, nerdnet: nt, skopeo: st, nerdnet200: n200t, ratio, rssKB: { nerdnet100: rss(n100), skopeo100: rss(s100), nerdnet200: rss(n200) } } };
    } finally {
      await reg.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
