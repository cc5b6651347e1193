// Cross-process behaviour of the container files: 20 processes acquiring at once, and what a
// container's libc can read while a hosts file is rewritten in place (measured, see
// docs/container-files.md). Temp dirs only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseHostsMeta } from '../src/lib/etc/hosts-meta.js';
import { writeInPlace } from '../src/lib/etc/in-place.js';
import { NameStore } from '../src/lib/etc/name-store.js';
import { DataStoreLayout } from '../src/lib/store/layout.js';

const fixture = (name: string): string => new URL(`./fixtures/etc/${name}`, import.meta.url).pathname;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-etc-procs-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture(script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('20 processes acquiring in one namespace at once', () => {
  it('leave 20 complete meta.json files and 20 hosts files that list all 20', { timeout: 120_000 }, async () => {
    const N = 20;
    const layout = new DataStoreLayout(join(dir, 'store'));
    const barrier = join(dir, 'barrier');
    await mkdir(barrier);
    const workers = Array.from({ length: N }, (_, i) => run('acquire-worker.ts', [layout.root, 'default', String(i), barrier]));
    // Release them together once all are loaded, so the acquisitions really overlap.
    const deadline = Date.now() + 90_000;
    while ((await readdir(barrier)).length < N && Date.now() < deadline) await sleep(20);
    await writeFile(join(barrier, 'go'), '');
    const results = await Promise.all(workers);
    for (const [i, r] of results.entries()) assert.equal(r.code, 0, `worker ${i} failed: ${r.stderr}`);

    const root = layout.etchostsRoot('default');
    const ids = (await readdir(root)).sort();
    assert.equal(ids.length, N);
    for (const id of ids) {
      assert.deepEqual((await readdir(join(root, id))).sort(), ['hosts', 'meta.json'], `leftovers in ${id}`);
      const meta = parseHostsMeta(await readFile(layout.hostsMetaPath('default', id)), id);
      assert.equal(meta.ID, id);
      const hosts = await readFile(layout.hostsPath('default', id), 'utf8');
      for (let i = 0; i < N; i++) assert.match(hosts, new RegExp(`^10\\.4\\.1\\.${i + 2} +w${i} w${i}\\.shared worker-${i} worker-${i}\\.shared$`, 'm'), `${id} misses worker ${i}`);
      assert.equal(hosts.split('\n').filter((l) => l.startsWith('10.4.1.')).length, N);
    }
    const names = await new NameStore({ layout }).list('default');
    assert.equal(names.size, N);
  });
});

describe('a reader racing in-place rewrites (the container side takes no lock)', () => {
  const line = (i: number): string => `${`10.4.1.${i}`.padEnd(15)} c${i}-host c${i}-host.n0 c${i} c${i}.n0\n`;
  const head = '# <nerdctl>\n127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n';
  const peers = Array.from({ length: 20 }, (_, i) => i + 2);
  const block = (ps: number[]): string => `${head}${ps.map(line).join('')}# </nerdctl>\n`;

  interface Counts {
    reads: number;
    clean: number;
    torn: number;
    wrongAddr: number;
    lostStable: number;
    prefixBroken: number;
  }

  // Alternate between two versions while a reader process classifies what it reads.
  async function race(name: string, a: string, b: string): Promise<{ counts: Counts; writes: number }> {
    const path = join(dir, `${name}.hosts`);
    await writeFile(path, a);
    const { ino } = await stat(path);
    const reader = run('torn-reader.ts', [path, a, b, '1500']);
    let done = false;
    void reader.then(() => (done = true));
    let writes = 0;
    while (!done) {
      await writeInPlace(path, writes % 2 === 0 ? b : a);
      writes++;
      if (writes % 50 === 0) await sleep(0);
    }
    const r = await reader;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(path, 'utf8'), writes % 2 === 0 ? a : b, 'the file ends exactly as last written');
    assert.equal((await stat(path)).ino, ino, 'the inode (bind mount) is kept');
    return { counts: JSON.parse(r.stdout) as Counts, writes };
  }

  it('a peer added at the end: unchanged lines never torn, no wrong or lost address', { timeout: 30_000 }, async (t) => {
    const { counts, writes } = await race('append', block(peers), block([...peers, 30]));
    t.diagnostic(`append: ${writes} writes, ${JSON.stringify(counts)}`);
    assert.ok(counts.reads > 1000, 'the reader ran');
    assert.equal(counts.prefixBroken, 0);
    assert.equal(counts.wrongAddr, 0);
    assert.equal(counts.lostStable, 0);
  });

  it('a peer removed from the middle: unchanged leading lines never torn; later lines can tear (measured)', { timeout: 30_000 }, async (t) => {
    const { counts, writes } = await race('remove', block(peers), block(peers.filter((p) => p !== 5)));
    // Not asserted: a reader racing the single write(2) can see shifted line fragments (docs).
    t.diagnostic(`remove: ${writes} writes, ${JSON.stringify(counts)}`);
    assert.ok(counts.reads > 1000, 'the reader ran');
    assert.equal(counts.prefixBroken, 0);
  });
});
