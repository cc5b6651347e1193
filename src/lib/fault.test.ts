// Fault points: a named point kills the process with SIGKILL (no cleanup runs), other points and an
// unset variable do nothing, NERDNET_FAULT_ONCE fires a point once, misspelt names are reported.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { armedFaults } from './fault.js';

const FAULT = fileURLToPath(new URL('./fault.ts', import.meta.url));

// A child that reaches `hook-after-add`, with a `finally` that would print if cleanup ran.
function reach(env: NodeJS.ProcessEnv): { signal: NodeJS.Signals | null; stdout: string } {
  const script = `import { faultPoint } from ${JSON.stringify(FAULT)}; try { faultPoint('hook-after-add'); console.log('passed'); } finally { console.log('cleanup'); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NERDNET_FAULT: '', NERDNET_FAULT_ONCE: '', ...env } });
  return { signal: r.signal, stdout: r.stdout };
}

describe('fault points', () => {
  it('kill the process at the named point, before any cleanup', () => {
    const r = reach({ NERDNET_FAULT: 'hosts-regenerate, hook-after-add' });
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.stdout, '');
  });

  it('do nothing when unset or when another point is named', () => {
    assert.equal(reach({}).stdout, 'passed\ncleanup\n');
    assert.equal(reach({ NERDNET_FAULT: 'hook-poststop-before-del' }).stdout, 'passed\ncleanup\n');
  });

  it('fire once per point with NERDNET_FAULT_ONCE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-fault-'));
    try {
      const env = { NERDNET_FAULT: 'hook-after-add', NERDNET_FAULT_ONCE: join(dir, 'marks') };
      assert.equal(reach(env).signal, 'SIGKILL');
      assert.ok(existsSync(join(dir, 'marks', 'hook-after-add.fired')));
      assert.equal(reach(env).stdout, 'passed\ncleanup\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('report names that are no fault point', () => {
    const a = armedFaults({ NERDNET_FAULT: 'hook-after-add,hook-after-ad' });
    assert.deepEqual([...a.points], ['hook-after-add', 'hook-after-ad']);
    assert.deepEqual(a.unknown, ['hook-after-ad']);
  });
});
