// The hosts store: nerdctl's Acquire/Release/Update/Delete semantics, peer-only regeneration,
// tolerance of corrupt records, refusal of bad input before any write, flock interop.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeMeta, networksOf } from '../../../test/fixtures/etc/make-meta.js';
import type { MetaSpec } from '../../../test/fixtures/etc/make-meta.js';
import { snapshot } from '../../../test/fixtures/etc/tree.js';
import { DataStoreLayout } from '../store/layout.js';
import { indexAddresses, renderHostsFile } from './hosts-file.js';
import { HostsStore } from './hosts-store.js';
import { parseHostsMeta, serializeHostsMeta } from './hosts-meta.js';
import type { ContainerHostsInfo } from './hosts-meta.js';

let dir: string;
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-hostsstore-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

function fresh(): { store: HostsStore; layout: DataStoreLayout; warnings: string[] } {
  const layout = new DataStoreLayout(join(dir, `ds${n++}`));
  const warnings: string[] = [];
  return { layout, warnings, store: new HostsStore({ layout, logger: (level, msg) => level === 'warn' && warnings.push(msg) }) };
}

function info(name: string, nets?: Record<string, string[]>, extra: Partial<ContainerHostsInfo> = {}): ContainerHostsInfo {
  return { name, hostname: `${name}-h`, networks: networksOf(nets), ...extra };
}

const hosts = (layout: DataStoreLayout, id: string): Promise<string> => readFile(layout.hostsPath('default', id), 'utf8');

describe('HostsStore', () => {
  it('acquire writes meta.json (0600, atomic) and the hosts file (0644) in 0700 dirs', async () => {
    const { store, layout } = fresh();
    const report = await store.acquire({ ns: 'default', id: 'aaa', meta: info('web', { n1: ['10.4.1.2/24'] }) });
    assert.deepEqual(report, { rewritten: ['aaa'], unchanged: [], skipped: [] });
    assert.equal((await stat(layout.hostsMetaPath('default', 'aaa'))).mode & 0o777, 0o600);
    assert.equal((await stat(layout.hostsPath('default', 'aaa'))).mode & 0o777, 0o644);
    assert.equal((await stat(layout.etchostsDir('default', 'aaa'))).mode & 0o777, 0o700);
    assert.match(await hosts(layout, 'aaa'), /^10\.4\.1\.2 {8}web-h web-h\.n1 web web\.n1$/m);
    assert.deepEqual(Object.keys(JSON.parse(await readFile(layout.hostsMetaPath('default', 'aaa'), 'utf8')) as object), ['ID', 'Networks', 'Hostname', 'ExtraHosts', 'Name', 'Domainname']);
  });

  it('never overwrites an existing hosts file (host mode, #3907): host lines stay before the block', async () => {
    const { store, layout } = fresh();
    const path = await store.allocHostsFile('default', 'hhh', '192.168.1.10\tnas\n127.0.0.1 localhost\n');
    assert.equal(path, layout.hostsPath('default', 'hhh'));
    await store.acquire({ ns: 'default', id: 'hhh', meta: info('host1', undefined, { extraHosts: [{ host: 'db', ip: '10.0.0.5' }] }) });
    assert.equal(await hosts(layout, 'hhh'), '192.168.1.10 nas\n# <nerdctl>\n127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n10.0.0.5        db\n# </nerdctl>\n');
  });

  it('rewrites only containers sharing a network, and only when their content changes', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns: 'default', id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    await store.acquire({ ns: 'default', id: 'b', meta: info('b', { n1: ['10.4.1.3/24'] }) });
    await store.acquire({ ns: 'default', id: 'c', meta: info('c', { n2: ['10.4.2.2/24'] }) });
    await store.acquire({ ns: 'default', id: 'd', meta: info('d') });
    const cBefore = await stat(layout.hostsPath('default', 'c'));
    assert.deepEqual(await store.acquire({ ns: 'default', id: 'e', meta: info('e', { n1: ['10.4.1.4/24'] }) }), { rewritten: ['a', 'b', 'e'], unchanged: [], skipped: [] });
    assert.equal((await stat(layout.hostsPath('default', 'c'))).mtimeMs, cBefore.mtimeMs);
    for (const id of ['a', 'b', 'e']) assert.match(await hosts(layout, id), /10\.4\.1\.4 +e-h e-h\.n1 e e\.n1/);
    assert.doesNotMatch(await hosts(layout, 'c'), /10\.4\.1/);
    // Same record again: nothing to write.
    const aBefore = await stat(layout.hostsPath('default', 'a'));
    assert.deepEqual(await store.acquire({ ns: 'default', id: 'e', meta: info('e', { n1: ['10.4.1.4/24'] }) }), { rewritten: [], unchanged: ['a', 'b', 'e'], skipped: [] });
    assert.equal((await stat(layout.hostsPath('default', 'a'))).mtimeMs, aBefore.mtimeMs);
    // Moving e to n2 updates both its old and its new peers.
    assert.deepEqual((await store.acquire({ ns: 'default', id: 'e', meta: info('e', { n2: ['10.4.2.9/24'] }) })).rewritten, ['a', 'b', 'c', 'e']);
    assert.doesNotMatch(await hosts(layout, 'a'), /e-h/);
  });

  it('release keeps the hosts file, removes the peer lines, and is idempotent', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns: 'default', id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    await store.acquire({ ns: 'default', id: 'b', meta: info('b', { n1: ['10.4.1.3/24'] }) });
    const own = await hosts(layout, 'b');
    assert.deepEqual(await store.release('default', 'b'), { released: true, rewritten: ['a'], unchanged: [], skipped: [] });
    assert.equal(await hosts(layout, 'b'), own);
    assert.doesNotMatch(await hosts(layout, 'a'), /b-h/);
    assert.equal(await store.get('default', 'b'), undefined);
    assert.deepEqual(await store.release('default', 'b'), { released: false, rewritten: [], unchanged: [], skipped: [] });
  });

  it('update renames in its own and its peers files (TestRenameUpdateHosts)', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns: 'default', id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    await store.acquire({ ns: 'default', id: 'b', meta: info('b', { n1: ['10.4.1.3/24'] }) });
    assert.deepEqual((await store.update('default', 'b', 'renamed')).rewritten, ['a', 'b']);
    for (const id of ['a', 'b']) assert.match(await hosts(layout, id), /10\.4\.1\.3 +b-h b-h\.n1 renamed renamed\.n1/);
    assert.equal((await store.get('default', 'b'))?.Name, 'renamed');
    await assert.rejects(store.update('default', 'zzz', 'x'), (e: Error & { code?: string }) => e.code === 'ERR_NOT_FOUND');
  });

  it('a reader never sees a torn meta.json (atomic rename) while it is rewritten', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns: 'default', id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    const path = layout.hostsMetaPath('default', 'a');
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 60; i++) await store.update('default', 'a', i % 2 ? 'short' : `a-much-longer-name-${i}`);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      // Throws on a torn or empty file.
      parseHostsMeta(await readFile(path), path);
      reads++;
    }
    await writer;
    assert.ok(reads > 0);
    assert.deepEqual(await readdir(layout.etchostsDir('default', 'a')), ['hosts', 'meta.json']);
  });

  it('delete removes the entry and updates peers when it was still acquired', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns: 'default', id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    await store.acquire({ ns: 'default', id: 'b', meta: info('b', { n1: ['10.4.1.3/24'] }) });
    assert.deepEqual((await store.delete('default', 'b')).rewritten, ['a']);
    await assert.rejects(stat(layout.etchostsDir('default', 'b')), /ENOENT/);
    assert.deepEqual((await store.delete('default', 'b')).rewritten, []);
  });

  it('namespaces never see each other (#3365)', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns: 'default', id: 'a', meta: info('a', { bridge: ['10.4.0.2/24'] }) });
    await store.acquire({ ns: 'k8s.io', id: 'b', meta: info('b', { bridge: ['10.4.0.3/24'] }) });
    assert.doesNotMatch(await hosts(layout, 'a'), /10\.4\.0\.3/);
    assert.deepEqual((await store.list('k8s.io')).map((m) => m.ID), ['b']);
  });

  it("skips a corrupt meta.json with a warning and never fails the others", async () => {
    const { store, layout, warnings } = fresh();
    await store.acquire({ ns: 'default', id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    await mkdir(layout.etchostsDir('default', 'bad'), { recursive: true });
    await writeFile(layout.hostsMetaPath('default', 'bad'), '{"ID":"bad","Networks":{"n1":');
    await writeFile(join(layout.etchostsRoot('default'), 'stray-file'), 'x');
    const report = await store.acquire({ ns: 'default', id: 'b', meta: info('b', { n1: ['10.4.1.3/24'] }) });
    assert.deepEqual(report, { rewritten: ['a', 'b'], unchanged: [], skipped: ['bad'] });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /hosts store: skipping container bad: .*bad\/meta\.json: not valid JSON/);
    assert.deepEqual((await store.list('default')).map((m) => m.ID), ['a', 'b']);
  });

  it('refuses bad input before anything is written', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns: 'default', id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    const before = await snapshot(layout.root);
    const bad: Array<[Parameters<HostsStore['acquire']>[0], RegExp]> = [
      [{ ns: 'default', id: '../a', meta: info('x') }, /invalid container ID "..\/a"/],
      [{ ns: 'de/fault', id: 'x', meta: info('x') }, /invalid namespace "de\/fault"/],
      [{ ns: 'default', id: 'x', meta: { ...info('x'), name: 'x y' } }, /invalid container name "x y"/],
      [{ ns: 'default', id: 'x', meta: { ...info('x'), hostname: 'h\n10.0.0.1 bank' } }, /invalid --hostname "h\\n10.0.0.1 bank"/],
      [{ ns: 'default', id: 'x', meta: { ...info('x'), domainname: 'a..b' } }, /invalid --domainname "a..b"/],
      [{ ns: 'default', id: 'x', meta: info('x', undefined, { extraHosts: { db: '10.0.0.300' } }) }, /invalid extra host address "10.0.0.300"/],
      [{ ns: 'default', id: 'x', meta: info('x', undefined, { extraHosts: { 'd b': '10.0.0.3' } }) }, /invalid host name "d b"/],
      [{ ns: 'default', id: 'x', meta: info('x', { 'n\0': ['10.4.1.9/24'] }) }, /invalid network name/],
    ];
    for (const [input, re] of bad) await assert.rejects(store.acquire(input), re);
    await assert.rejects(store.update('default', 'a', '../evil'), /invalid container name/);
    await assert.rejects(store.allocHostsFile('default', 'a/b'), /invalid container ID/);
    assert.deepEqual(await snapshot(layout.root), before);
  });

  it('waits for a nerdctl holding flock on etchosts/<ns>', async () => {
    const layout = new DataStoreLayout(join(dir, `ds${n++}`));
    const store = new HostsStore({ layout, lockTimeoutMs: 150 });
    await mkdir(layout.etchostsRoot('default'), { recursive: true });
    // -o: only flock(1) itself holds the lock, so killing it frees the lock.
    const holder = spawn('flock', ['-o', layout.etchostsRoot('default'), 'sleep', '5'], { stdio: 'ignore', detached: true });
    try {
      await new Promise((r) => setTimeout(r, 150));
      await assert.rejects(store.acquire({ ns: 'default', id: 'a', meta: info('a') }), (e: Error & { code?: string }) => e.code === 'ERR_LOCK');
    } finally {
      // Our own process group: flock(1) and its sleep.
      process.kill(-(holder.pid ?? 0));
      await new Promise((r) => holder.on('close', r));
    }
    await store.acquire({ ns: 'default', id: 'a', meta: info('a') });
  });

  it('peer-only regeneration leaves every file as a full regeneration would (any event sequence)', async () => {
    // `clash`: every network gets one of three shared addresses, so records on one network and on
    // different networks repeat an address (a stale record after a crash, overlapping subnets).
    const op = fc.record({ kind: fc.constantFrom('acquire', 'acquire', 'release', 'rename'), who: fc.integer({ min: 0, max: 5 }), nets: fc.subarray(['bridge', 'n1', 'n2']), clash: fc.option(fc.integer({ min: 2, max: 4 })) });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { store, layout } = fresh();
        for (const [step, o] of ops.entries()) {
          const id = `c${o.who}`;
          if (o.kind === 'acquire') {
            const nets = Object.fromEntries(o.nets.map((net, k) => [net, [o.clash === null ? `10.${k}.${o.who}.${step + 2}/16` : `10.9.0.${o.clash}/16`]]));
            await store.acquire({ ns: 'default', id, meta: info(id, o.nets.length ? nets : undefined) });
          } else if (o.kind === 'release') await store.release('default', id);
          else if (await store.get('default', id)) await store.update('default', id, `${id}-s${step}`);
        }
        const metas = await store.list('default');
        const index = indexAddresses(metas);
        for (const meta of metas) assert.equal(await hosts(layout, meta.ID), renderHostsFile('', meta, index), `hosts of ${meta.ID} after ${JSON.stringify(ops)}`);
      }),
      { numRuns: 60 },
    );
  });
});

// The index (nerdnet/hosts-index/<ns>.json) lets an event skip the meta.json of containers on other
// networks; these check it never hides a change made behind its back.
describe('HostsStore index', () => {
  const ns = 'default';
  const writeMeta = (layout: DataStoreLayout, id: string, spec: MetaSpec): Promise<void> => writeFile(layout.hostsMetaPath(ns, id), serializeHostsMeta(makeMeta(id, spec)));

  it('sees a meta.json rewritten in place, same size, right after the index was saved', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns, id: 'a', meta: info('aaaa', { n1: ['10.4.1.2/24'] }) });
    await store.acquire({ ns, id: 'c', meta: info('cccc', { n2: ['10.4.2.2/24'] }) });
    // Same length, same inode: only its times tell (hosts-index.test.ts covers equal times).
    await writeMeta(layout, 'c', { name: 'dddd', hostname: 'cccc-h', nets: { n1: ['10.4.1.9/24'] } });
    await store.acquire({ ns, id: 'b', meta: info('bbbb', { n1: ['10.4.1.3/24'] }) });
    assert.match(await hosts(layout, 'b'), /^10\.4\.1\.9 +cccc-h cccc-h\.n1 dddd dddd\.n1$/m);
    assert.match(await hosts(layout, 'a'), /dddd\.n1/);
  });

  it('sees what nerdctl did between two events: a record replaced, removed, added', async () => {
    const { store, layout } = fresh();
    await store.acquire({ ns, id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    await store.acquire({ ns, id: 'b', meta: info('b', { n1: ['10.4.1.3/24'] }) });
    await store.acquire({ ns, id: 'c', meta: info('c', { n2: ['10.4.2.2/24'] }) });
    await store.acquire({ ns, id: 'x', meta: info('x', { n3: ['10.4.3.2/24'] }) });
    await new Promise((r) => setTimeout(r, 20));
    // nerdctl's writes: atomic replace (new inode) moving c to n1, b released, e started on n1.
    await writeFile(`${layout.hostsMetaPath(ns, 'c')}.new`, serializeHostsMeta(makeMeta('c', { name: 'c2', hostname: 'c-h', nets: { n1: ['10.4.1.4/24'] } })));
    await rename(`${layout.hostsMetaPath(ns, 'c')}.new`, layout.hostsMetaPath(ns, 'c'));
    await rm(layout.hostsMetaPath(ns, 'b'));
    await mkdir(layout.etchostsDir(ns, 'e'), { recursive: true });
    await writeMeta(layout, 'e', { name: 'e', hostname: 'e-h', nets: { n1: ['10.4.1.5/24'] } });
    await store.acquire({ ns, id: 'd', meta: info('d', { n1: ['10.4.1.6/24'] }) });
    const seen = (await hosts(layout, 'd')).split('\n').filter((l) => l.startsWith('10.4.')).map((l) => l.split(/ +/)[1]);
    assert.deepEqual(seen, ['d-h', 'a-h', 'c-h', 'e-h']);
  });

  it('a damaged index is rebuilt; one that cannot be saved is a warning, never a failed start', async () => {
    const { store, layout, warnings } = fresh();
    await store.acquire({ ns, id: 'a', meta: info('a', { n1: ['10.4.1.2/24'] }) });
    const path = layout.hostsIndexPath(ns);
    await writeFile(path, '{"version":1,"entries":{"a":{"sig":"1:2:3:4","networks":{"n9":[');
    await store.acquire({ ns, id: 'b', meta: info('b', { n1: ['10.4.1.3/24'] }) });
    assert.match(await hosts(layout, 'a'), /b-h b-h\.n1/);
    assert.deepEqual(Object.keys((JSON.parse(await readFile(path, 'utf8')) as { entries: object }).entries), ['a', 'b']);
    assert.deepEqual(warnings, []);
    await rm(path);
    await mkdir(join(path, 'in-the-way'), { recursive: true });
    const report = await store.acquire({ ns, id: 'c', meta: info('c', { n1: ['10.4.1.4/24'] }) });
    assert.deepEqual(report.rewritten, ['a', 'b', 'c']);
    assert.match(warnings.join('\n'), /cannot save the index .*hosts-index\/default\.json/);
  });
});

// A container can write to its own /etc/hosts without bound; a peer's start must not copy it.
describe('HostsStore: a hosts file over the cap', () => {
  const OVER = /is over 1 MiB/;
  const HOSTS_FILE_CAP = 1024 * 1024;
  // The container's own lines, appended after the block as `echo ... >> /etc/hosts` does (~2 MiB).
  const grow = async (path: string, tag: string): Promise<string[]> => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `10.9.${(i >> 8) & 255}.${i & 255} ${tag}${i}`);
    await appendFile(path, `${lines.join('\n')}\n`);
    // And a hole up to 8 GiB, past what a Buffer can hold: reading it whole cannot even start.
    await truncate(path, 8 * 1024 ** 3);
    return lines;
  };
  const blockOf = async (store: HostsStore, id: string): Promise<string> => {
    const metas = await store.list('default');
    const self = metas.find((m) => m.ID === id);
    assert.ok(self);
    return renderHostsFile('', self, indexAddresses(metas));
  };

  it("a peer's start reads at most 1 MiB of it, keeps the block right, cuts the file under the cap and warns once", async () => {
    const { store, layout, warnings } = fresh();
    const path = layout.hostsPath('default', 'aaa');
    await store.acquire({ ns: 'default', id: 'aaa', meta: info('web', { n1: ['10.4.1.2/24'] }) });
    const mine = await grow(path, 'own');

    const report = await store.acquire({ ns: 'default', id: 'bbb', meta: info('db', { n1: ['10.4.1.3/24'] }) });
    assert.deepEqual(report, { rewritten: ['aaa', 'bbb'], unchanged: [], skipped: [] });
    let content = await readFile(path, 'utf8');
    assert.ok(content.length <= HOSTS_FILE_CAP, `${content.length} bytes`);
    let block = await blockOf(store, 'aaa');
    assert.match(block, /^10\.4\.1\.3 +db-h db-h\.n1 db db\.n1$/m);
    // The block once, at the end; before it, the container's first lines as it wrote them.
    assert.ok(content.endsWith(block));
    assert.equal(content.split('# <nerdctl>').length, 2);
    const kept = content.slice(0, -block.length).split('\n').slice(0, -1);
    assert.ok(kept.length > 1000 && kept.length < mine.length);
    assert.deepEqual(kept, mine.slice(0, kept.length));
    assert.equal(warnings.filter((w) => OVER.test(w)).length, 1);
    assert.match(warnings.join('\n'), /etchosts\/default\/aaa\/hosts \(container aaa\) is over 1 MiB/);

    // Grown again; a later event in another process (a new store) cuts it again, and stays quiet.
    await grow(path, 'again');
    const other = fresh();
    const again = new HostsStore({ layout, logger: (level, m) => level === 'warn' && other.warnings.push(m) });
    await again.acquire({ ns: 'default', id: 'ccc', meta: info('cache', { n1: ['10.4.1.4/24'] }) });
    await again.release('default', 'bbb');
    content = await readFile(path, 'utf8');
    block = await blockOf(again, 'aaa');
    assert.match(block, /cache-h/);
    assert.doesNotMatch(block, /db-h/);
    assert.ok(content.length <= HOSTS_FILE_CAP && content.endsWith(block));
    assert.deepEqual(other.warnings, []);
    assert.equal(warnings.filter((w) => OVER.test(w)).length, 1);
  });

  it('a file under the cap keeps every line of the container, and no warning', async () => {
    const { store, layout, warnings } = fresh();
    const path = layout.hostsPath('default', 'aaa');
    await store.acquire({ ns: 'default', id: 'aaa', meta: info('web', { n1: ['10.4.1.2/24'] }) });
    await appendFile(path, '10.9.0.1 mine\n');
    await store.acquire({ ns: 'default', id: 'bbb', meta: info('db', { n1: ['10.4.1.3/24'] }) });
    assert.equal(await readFile(path, 'utf8'), `10.9.0.1 mine\n${await blockOf(store, 'aaa')}`);
    assert.deepEqual(warnings, []);
  });
});
