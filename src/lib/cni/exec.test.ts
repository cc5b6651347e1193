// libcni raw_exec_test / args_test equivalents: env, stdin, stdout, stderr and failure decoding.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniError } from '../errors.js';
import { RawExec, decodeFailure, pluginEnv } from './exec.js';

let dir: string;
async function script(name: string, body: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, `#!/bin/sh\n${body}\n`);
  await chmod(p, 0o755);
  return p;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerdnet-exec-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('pluginEnv', () => {
  it('appends all six CNI variables, overriding inherited ones', () => {
    const env = pluginEnv({ command: 'ADD', containerID: 'c', path: ['/a', '/b'], args: [['A', '1'], ['B', '2']] }, { CNI_COMMAND: 'OLD', HOME: '/root' });
    assert.deepEqual(env, { HOME: '/root', CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_NETNS: '', CNI_ARGS: 'A=1;B=2', CNI_IFNAME: '', CNI_PATH: '/a:/b' });
  });
});

describe('RawExec', () => {
  it('passes stdin and env, returns stdout, forwards stderr only on success', async () => {
    const p = await script('echo', 'printf "%s|" "$CNI_COMMAND"; cat; echo log >&2');
    const seen: string[] = [];
    const exec = new RawExec({ stderr: (c) => seen.push(c.toString()) });
    const out = await exec.execPlugin(p, Buffer.from('{"x":1}'), { CNI_COMMAND: 'ADD', PATH: process.env.PATH });
    assert.equal(out.toString(), 'ADD|{"x":1}');
    assert.deepEqual(seen, ['log\n']);
  });

  it('returns the error object a plugin prints on stdout', async () => {
    const p = await script('fail', 'echo \'{"code":7,"msg":"banana","details":"split"}\'; exit 1');
    await assert.rejects(new RawExec().execPlugin(p, Buffer.from('{}'), {}), (e: CniError) => {
      assert.equal(e.cniCode, 7);
      assert.equal(e.msg, 'banana');
      assert.equal(e.message, 'banana; split');
      return true;
    });
  });

  it('quotes stderr when stdout is empty', async () => {
    const p = await script('stderr-only', 'echo "some stderr message" >&2; exit 1');
    await assert.rejects(new RawExec().execPlugin(p, Buffer.from('{}'), {}), (e: CniError) => {
      assert.equal(e.message, 'netplugin failed: "some stderr message\\n": exit status 1');
      assert.equal(e.stderr, 'some stderr message\n');
      return e.cniCode === 0;
    });
  });

  it('says there was no error message', async () => {
    const p = await script('silent', 'exit 1');
    await assert.rejects(new RawExec().execPlugin(p, Buffer.from('{}'), {}), { message: 'netplugin failed with no error message: exit status 1' });
  });

  it('reports unparsable diagnostics', async () => {
    const p = await script('garbage', 'echo "oops"; exit 2');
    await assert.rejects(new RawExec().execPlugin(p, Buffer.from('{}'), {}), /netplugin failed but error parsing its diagnostic message "oops\\n": /);
  });

  it('names the path of a binary that cannot run', async () => {
    const p = join(dir, 'not-executable');
    await writeFile(p, 'nothing');
    await assert.rejects(new RawExec().execPlugin(p, Buffer.from('{}'), {}), (e: Error) => e.message.includes(p));
  });

  it('kills on abort', async () => {
    const p = await script('hang', 'sleep 30');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(new RawExec().execPlugin(p, Buffer.from('{}'), {}, { signal: ac.signal }), /signal: killed \(aborted\)/);
  });

  it('retries "text file busy" with a fresh process and succeeds once the binary is free', async () => {
    const p = join(dir, 'busy');
    const { open } = await import('node:fs/promises');
    const fh = await open(p, 'w', 0o755);
    await fh.write('#!/bin/sh\necho ok\n');
    // The writer still holds the file open: exec fails with ETXTBSY until it closes.
    setTimeout(() => void fh.close(), 150);
    const out = await new RawExec({ busyRetryDelayMs: 100 }).execPlugin(p, Buffer.from('{}'), { PATH: process.env.PATH });
    assert.equal(out.toString(), 'ok\n');
  });

  it('gives up on "text file busy" after the retries', async () => {
    const p = join(dir, 'busy2');
    const { open } = await import('node:fs/promises');
    const fh = await open(p, 'w', 0o755);
    await fh.write('#!/bin/sh\necho ok\n');
    try {
      await assert.rejects(new RawExec({ busyRetries: 2, busyRetryDelayMs: 10 }).execPlugin(p, Buffer.from('{}'), {}), /ETXTBSY|text file busy/i);
    } finally {
      await fh.close();
    }
  });
});

describe('decodeFailure', () => {
  it('treats a non-object stdout as unparsable', () => {
    const e = decodeFailure({ stdout: Buffer.from('[1]'), stderr: Buffer.alloc(0), execError: 'exit status 1' });
    assert.match(e.message, /error parsing its diagnostic message "\[1\]"/);
  });
});
