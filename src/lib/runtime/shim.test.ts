import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runc } from './runc.js';
import { readExitRecord, readStartError, shQuote, shimScript } from './shim.js';

// A stand-in for runc: `run` prints and exits with $FAKE_CODE, `delete` is logged.
async function fakeRunc(dir: string): Promise<Runc> {
  const bin = join(dir, "fake runc's");
  await writeFile(bin, `#!/bin/sh\ncase " $* " in *" run "*) echo "ran $*"; exit $FAKE_CODE;; *" delete "*) echo "deleted $*" >> '${dir}/deletes';; esac\n`, { mode: 0o755 });
  return {
    binary: bin,
    root: join(dir, 'root'),
    globalArgs: () => ['--root', join(dir, 'root')],
    runArgs: (id: string, bundle: string, log?: string) => ['--root', join(dir, 'root'), ...(log ? ['--log', log] : []), 'run', '--bundle', bundle, id],
    stateDir: (id: string) => join(dir, 'root', id),
  } as unknown as Runc;
}

describe('shim script', () => {
  it('quotes every value for sh', () => {
    assert.equal(shQuote("it's"), `'it'\\''s'`);
  });

  it('runs runc, records the exit code atomically, deletes what runc still has, then runs the after-exit command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-shim-'));
    try {
      const runc = await fakeRunc(dir);
      // runc still holds the container (a runc that was killed): its state dir is there.
      await mkdir(join(dir, 'root', 'c1'), { recursive: true });
      const exitFile = join(dir, 'exit.json');
      const script = shimScript({ id: 'c1', runc, bundle: join(dir, 'b'), exitFile, runcLog: join(dir, 'runc.log'), afterExit: ['sh', '-c', `echo after > '${dir}/after'`] });
      const r = spawnSync('/bin/sh', ['-c', script, 'nerdnet-shim', 'c1'], { encoding: 'utf8', env: { ...process.env, FAKE_CODE: '42' } });
      assert.equal(r.status, 42);
      assert.match(r.stdout, /^ran --root .* run --bundle .*\/b c1$/m);
      const exit = await readExitRecord(exitFile);
      assert.equal(exit?.exitCode, 42);
      assert.ok(!Number.isNaN(Date.parse(exit?.finishedAt ?? '')));
      assert.match(await readFile(join(dir, 'deletes'), 'utf8'), /delete --force c1/);
      assert.equal(await readFile(join(dir, 'after'), 'utf8'), 'after\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts no runc delete when runc has nothing left of the container', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-shim-'));
    try {
      const runc = await fakeRunc(dir);
      const script = shimScript({ id: 'c1', runc, bundle: join(dir, 'b'), exitFile: join(dir, 'exit.json'), runcLog: join(dir, 'runc.log') });
      const r = spawnSync('/bin/sh', ['-c', script, 'nerdnet-shim', 'c1'], { encoding: 'utf8', env: { ...process.env, FAKE_CODE: '0' } });
      assert.equal(r.status, 0);
      assert.equal(existsSync(join(dir, 'deletes')), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('readStartError finds runc run failures in its JSON log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-shim-'));
    try {
      const log = join(dir, 'runc.log');
      await writeFile(log, '{"level":"warning","msg":"x"}\nnot json\n{"level":"error","msg":"runc run failed: exec: \\"nope\\": not found"}\n');
      assert.equal(await readStartError(log), 'runc run failed: exec: "nope": not found');
      assert.equal(await readStartError(join(dir, 'missing')), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
