// flock interop: our lock excludes util-linux flock(1) (the same syscall Go's plugins use) and back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLock, withLock } from './flock.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-flock-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

function flockCliTry(path: string): number {
  // -n: fail at once (exit 1) if held.
  return spawnSync('flock', ['-n', path, 'true']).status ?? -1;
}

describe('FileLock', () => {
  it('excludes flock(1) while held and frees it on release', async () => {
    const path = join(dir, 'lock');
    const lock = await FileLock.acquire(path);
    assert.equal(flockCliTry(path), 1);
    lock.release();
    assert.equal(flockCliTry(path), 0);
  });

  it('locks a directory the way nerdctl locks its stores', async () => {
    const d = join(dir, 'store');
    await mkdir(d);
    await withLock(d, () => assert.equal(flockCliTry(d), 1));
    assert.equal(flockCliTry(d), 0);
  });

  it('waits for a holder in another process', async () => {
    const path = join(dir, 'held');
    const marker = join(dir, 'holder-finished');
    // The holder writes the marker as the last thing it does while holding the lock.
    const holder = spawn('flock', [path, '-c', `echo locked; sleep 0.3; touch ${marker}`], { stdio: ['ignore', 'pipe', 'ignore'] });
    // Listen for the end now: it may come before withLock returns.
    const closed = new Promise((r) => holder.on('close', r));
    await new Promise((r) => holder.stdout.once('data', r));
    const { existsSync } = await import('node:fs');
    await withLock(path, () => assert.ok(existsSync(marker), 'acquired while flock(1) still held it'));
    await closed;
  });

  it('times out with a clear error', async () => {
    const path = join(dir, 'busy');
    const holder = spawn('flock', [path, 'sleep', '2'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 150));
    await assert.rejects(FileLock.acquire(path, { timeoutMs: 100 }), /timed out after 100 ms waiting for the lock on .*busy/);
    const closed = new Promise((r) => holder.on('close', r));
    holder.kill();
    await closed;
  });

  it('serialises holders in one process and releases on exceptions', async () => {
    const path = join(dir, 'inproc');
    const order: string[] = [];
    await Promise.all([
      withLock(path, async () => {
        order.push('a+');
        await new Promise((r) => setTimeout(r, 50));
        order.push('a-');
      }),
      withLock(path, () => {
        order.push('b');
      }),
      assert.rejects(withLock(path, () => Promise.reject(new Error('boom'))), /boom/),
    ]);
    assert.deepEqual(order.slice(0, 2), ['a+', 'a-']);
    assert.equal(flockCliTry(path), 0);
  });
});
