// The hosts store index trusts an entry only while its meta.json is provably unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHostsIndex, saveHostsIndex, statSignature, trustedEntry } from './hosts-index.js';
import type { IndexedEntry } from './hosts-index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-hostsindex-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

const stats = (ino: number, size: number, mtimeMs: number, ctimeMs: number): Stats => ({ ino, size, mtimeMs, ctimeMs }) as Stats;

describe('hosts store index', () => {
  const st = stats(7, 300, 1000.5, 1000.5);
  const entry: IndexedEntry = { sig: statSignature(st), networks: ['n1'] };
  const index = (savedCtimeMs: number) => ({ entries: new Map([['a', entry]]), savedCtimeMs, text: '' });

  it('trusts an entry only with the same inode, size and times, changed before the index was saved', () => {
    assert.equal(trustedEntry(index(1000.6), 'a', st), entry);
    assert.equal(trustedEntry(index(1000.6), 'b', st), undefined, 'not indexed');
    for (const changed of [stats(8, 300, 1000.5, 1000.5), stats(7, 301, 1000.5, 1000.5), stats(7, 300, 999, 1000.5), stats(7, 300, 1000.5, 1000.55)]) assert.equal(trustedEntry(index(1000.6), 'a', changed), undefined, JSON.stringify(changed));
    // Racy: changed in the tick the index was written, a later same-size write may keep every stamp.
    assert.equal(trustedEntry(index(1000.5), 'a', st), undefined);
    assert.equal(trustedEntry(index(0), 'a', st), undefined, 'no index file');
  });

  it('a missing, damaged or foreign index loads empty', async () => {
    const path = join(dir, 'x.json');
    assert.equal(loadHostsIndex(path).entries.size, 0);
    for (const text of ['{"version":1,"entries":{"a":', '[]', '{"version":2,"entries":{"a":{"sig":"1","networks":[]}}}']) {
      await writeFile(path, text);
      assert.equal(loadHostsIndex(path).entries.size, 0, text);
    }
    await writeFile(path, '{"version":1,"entries":{"a":{"sig":"1","networks":["n1"]},"b":{"sig":2,"networks":[]},"c":{"sig":"3","networks":[1]}}}');
    assert.deepEqual([...loadHostsIndex(path).entries], [['a', { sig: '1', networks: ['n1'] }]]);
  });

  it('saves into a new 0700 directory, and leaves an unchanged index alone unless asked', async () => {
    const path = join(dir, 'sub', 'ns.json');
    const entries = new Map([['b', { sig: '2', networks: [] }], ['a', entry]]);
    assert.equal(saveHostsIndex(path, entries, loadHostsIndex(path), false), undefined);
    assert.equal((await stat(join(dir, 'sub'))).mode & 0o777, 0o700);
    const loaded = loadHostsIndex(path);
    assert.deepEqual([...loaded.entries.keys()], ['a', 'b']);
    assert.equal(loaded.savedCtimeMs, (await stat(path)).ctimeMs);
    const before = (await stat(path)).ctimeMs;
    saveHostsIndex(path, entries, loaded, false);
    assert.equal((await stat(path)).ctimeMs, before, 'same text: not rewritten');
    await new Promise((r) => setTimeout(r, 10));
    saveHostsIndex(path, entries, loaded, true);
    assert.ok((await stat(path)).ctimeMs > before, 'refresh: newer than the entries it vouches for');
    assert.equal(await readFile(path, 'utf8'), loaded.text);
    // A shorter index leaves no stale tail.
    saveHostsIndex(path, new Map([['a', entry]]), loadHostsIndex(path), false);
    assert.deepEqual([...loadHostsIndex(path).entries.keys()], ['a']);
  });
});
