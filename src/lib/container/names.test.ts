import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultName, newContainerId, pickIdAndName } from './names.js';
import { parseUser } from './user.js';
import { normalizeSignal } from './stop.js';

describe('container names and IDs', () => {
  it('IDs are 64 hex characters', () => {
    assert.match(newContainerId(), /^[0-9a-f]{64}$/);
  });

  it('default names as nerdctl: image basename + 5 hex, untitled without image', () => {
    const id = 'abcdef0123456789'.repeat(4);
    assert.equal(defaultName('docker.io/library/alpine:3.19', id), 'alpine-abcde');
    assert.equal(defaultName('registry:5000/team/web@sha256:00', id), 'web-abcde');
    assert.equal(defaultName(undefined, id), 'untitled-abcde');
  });

  it('a default name already held (IDs sharing 5 hex digits) gets a new ID, not a failed create', async () => {
    const ids = ['4a784' + '0'.repeat(59), '4a784' + '1'.repeat(59), '5b895' + '2'.repeat(59)];
    const taken = new Set(['untitled-4a784']);
    const asked: string[] = [];
    const isTaken = async (n: string): Promise<boolean> => (asked.push(n), taken.has(n));
    assert.deepEqual(await pickIdAndName(isTaken, undefined, undefined, () => ids.shift() ?? ''), { id: '5b895' + '2'.repeat(59), name: 'untitled-5b895' });
    assert.deepEqual(asked, ['untitled-4a784', 'untitled-4a784', 'untitled-5b895']);
    // --name is never replaced: the name store reports who holds it.
    assert.equal((await pickIdAndName(async () => true, 'web', undefined)).name, 'web');
    // Never an endless loop.
    const name = (await pickIdAndName(async () => true, undefined, 'alpine', () => 'c'.repeat(64))).name;
    assert.equal(name, 'alpine-ccccc');
  });

  it('--user is numeric uid[:gid]', () => {
    assert.deepEqual(parseUser('1000'), { uid: 1000, gid: 1000 });
    assert.deepEqual(parseUser('1:2'), { uid: 1, gid: 2 });
    assert.deepEqual(parseUser('root'), { uid: 0, gid: 0 });
    assert.throws(() => parseUser('nobody'), /invalid --user "nobody"/);
  });

  it('signals by name, SIG-name or number', () => {
    assert.equal(normalizeSignal('kill'), 'SIGKILL');
    assert.equal(normalizeSignal('SIGTERM'), 'SIGTERM');
    assert.equal(normalizeSignal('9'), '9');
    assert.throws(() => normalizeSignal('NOPE'), /invalid signal "NOPE"/);
    assert.throws(() => normalizeSignal('99'), /invalid signal "99"/);
  });
});
