// In-place rewrites keep the inode (bind mounts stay attached) and never leave a stale tail.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planInPlace, readSmallSync, updateInPlaceSync, writeInPlace } from './in-place.js';
import { parseHostsOutsideBlock } from './hosts-file.js';
import { getNameservers } from './resolv-conf.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-inplace-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('writeInPlace', () => {
  it('keeps the inode while growing and shrinking, and sets 0644 whatever the umask', async () => {
    const path = join(dir, 'hosts');
    const old = process.umask(0o077);
    try {
      await writeInPlace(path, 'short\n');
    } finally {
      process.umask(old);
    }
    const { ino } = await stat(path);
    assert.equal((await stat(path)).mode & 0o777, 0o644);
    await writeInPlace(path, 'a much longer content\nwith two lines\n');
    assert.equal(await readFile(path, 'utf8'), 'a much longer content\nwith two lines\n');
    await chmod(path, 0o600);
    await writeInPlace(path, 'x\n');
    assert.equal(await readFile(path, 'utf8'), 'x\n');
    assert.equal((await stat(path)).ino, ino);
    assert.equal((await stat(path)).mode & 0o777, 0o644);
  });

  it('updateInPlaceSync renders from the current content, keeps the inode, creates 0644, skips equal content', async () => {
    const path = join(dir, 'hosts-sync');
    assert.equal(updateInPlaceSync(path, (cur) => `${cur}first\n`), true);
    assert.equal((await stat(path)).mode & 0o777, 0o644);
    const { ino } = await stat(path);
    await chmod(path, 0o600);
    assert.equal(updateInPlaceSync(path, (cur) => `${cur}second line, longer\n`), true);
    assert.equal(updateInPlaceSync(path, () => 'x\n'), true);
    assert.equal(await readFile(path, 'utf8'), 'x\n');
    assert.equal((await stat(path)).mode & 0o777, 0o644);
    const { mtimeMs } = await stat(path);
    assert.equal(updateInPlaceSync(path, (cur) => cur), false);
    assert.equal((await stat(path)).mtimeMs, mtimeMs);
    assert.equal((await stat(path)).ino, ino);
    // A long shared prefix (past the 512-byte chunks) and a change after it.
    const long = 'a'.repeat(1500);
    updateInPlaceSync(path, () => `${long}b\n`);
    updateInPlaceSync(path, () => `${long}c\n`);
    assert.equal(await readFile(path, 'utf8'), `${long}c\n`);
    assert.deepEqual(planInPlace(Buffer.from(`${long}b`), Buffer.from(`${long}c`))?.offset, 1500);
  });

  it('updateInPlaceSync and readSmallSync read files past their reused buffers, then small ones again', async () => {
    const path = join(dir, 'big-hosts');
    const big = `${'10.0.0.1 peer\n'.repeat(8000)}`; // ~110 KiB, past the 16 KiB scratch
    await writeFile(path, big);
    assert.equal(readSmallSync(path).toString(), big);
    assert.equal(updateInPlaceSync(path, (cur) => `${cur}10.0.0.2 new\n`), true);
    assert.equal(await readFile(path, 'utf8'), `${big}10.0.0.2 new\n`);
    await writeFile(path, 'small\n');
    assert.equal(readSmallSync(path).toString(), 'small\n');
    assert.equal(updateInPlaceSync(path, (cur) => `${cur}more\n`), true);
    assert.equal(await readFile(path, 'utf8'), 'small\nmore\n');
    // A copy: later reads do not change what an earlier one returned.
    const first = readSmallSync(path);
    await writeFile(path, 'other\n');
    readSmallSync(path);
    assert.equal(first.toString(), 'small\nmore\n');
    assert.throws(() => readSmallSync(join(dir, 'missing')), { code: 'ENOENT' });
    assert.throws(() => readSmallSync(join(path, 'sub')), { code: 'ENOTDIR' });
  });

  it('updateInPlaceSync with maxBytes: a file at the cap is whole; one byte over, render gets the lines before the cap and the file is cut to its result', async () => {
    const path = join(dir, 'capped');
    await writeFile(path, 'a\nbb\nccc\n');
    const seen: Array<[string, boolean]> = [];
    const render = (current: string, over: boolean): string => (seen.push([current, over]), `${current}#\n`);
    assert.equal(updateInPlaceSync(path, render, { maxBytes: 9 }), true);
    assert.equal(await readFile(path, 'utf8'), 'a\nbb\nccc\n#\n');
    assert.equal(updateInPlaceSync(path, render, { maxBytes: 10 }), true);
    assert.deepEqual(seen, [['a\nbb\nccc\n', false], ['a\nbb\nccc\n', true]]);
    assert.equal(await readFile(path, 'utf8'), 'a\nbb\nccc\n#\n');
    // Over the cap and render returns what it read: unchanged bytes, but the tail is cut.
    assert.equal(updateInPlaceSync(path, (current) => current, { maxBytes: 7 }), true);
    assert.equal(await readFile(path, 'utf8'), 'a\nbb\n');
  });

  it('writes only when the content differs', async () => {
    const path = join(dir, 'resolv.conf');
    await writeFile(path, 'nameserver 10.0.0.2\n');
    const before = (await stat(path)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await writeInPlace(path, 'nameserver 10.0.0.2\n'), false);
    assert.equal((await stat(path)).mtimeMs, before);
    assert.equal(await writeInPlace(path, 'nameserver 10.0.0.3\n'), true);
    assert.equal(await readFile(path, 'utf8'), 'nameserver 10.0.0.3\n');
  });
});

describe('planInPlace: what a reader can see', () => {
  const enc = (t: string): Buffer => Buffer.from(t);
  const oldHosts = '1.2.3.4 a\n# <nerdctl>\n10.4.1.2        c0 c0.n0\n10.4.1.3        c1 c1.n0\n# </nerdctl>\n';

  it('leaves the common prefix alone: an added peer only rewrites the end', () => {
    const grown = oldHosts.replace('# </nerdctl>', '10.4.1.4        c2 c2.n0\n# </nerdctl>');
    const plan = planInPlace(enc(oldHosts), enc(grown));
    assert.equal(plan?.offset, oldHosts.indexOf('# </nerdctl>'));
    assert.equal(plan?.payload.toString(), '10.4.1.4        c2 c2.n0\n# </nerdctl>\n');
    assert.equal(plan?.truncateTo, undefined);
  });

  it('pads a shrinking file with blank lines before the truncate; that state parses as the new file', () => {
    const shrunk = '1.2.3.4 a\n# <nerdctl>\n10.4.1.2        c0 c0.n0\n# </nerdctl>\n';
    const plan = planInPlace(enc(oldHosts), enc(shrunk));
    assert.ok(plan);
    const mid = Buffer.concat([enc(oldHosts).subarray(0, plan.offset), plan.payload]).toString();
    assert.equal(mid.length, oldHosts.length);
    assert.ok(mid.startsWith(shrunk) && /^\n+$/.test(mid.slice(shrunk.length)));
    assert.deepEqual(parseHostsOutsideBlock(mid), parseHostsOutsideBlock(shrunk));
    assert.equal(plan.truncateTo, shrunk.length);
    const resolv = planInPlace(enc('nameserver 10.0.0.2\nnameserver 10.0.0.3\n'), enc('nameserver 10.0.0.2\n'));
    assert.deepEqual(getNameservers(`nameserver 10.0.0.2\n${resolv?.payload.toString() ?? ''}`), ['10.0.0.2']);
  });

  it('has nothing to do for equal content', () => {
    assert.equal(planInPlace(enc('x\n'), enc('x\n')), undefined);
    assert.deepEqual(planInPlace(enc(''), enc('x\n')), { offset: 0, payload: enc('x\n'), truncateTo: undefined });
  });
});
