// A closed output pipe (`nerdnet ... | head -1`): the command ends quietly with its own status, no
// EPIPE stack trace, and a sweep it started runs to the end. Other write errors fail the command.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';

const BUNDLE = fileURLToPath(new URL('../dist/nerdnet.js', import.meta.url));
// Each a line of the sweep's output (~70 bytes): 1500 of them fill a pipe's 64 KiB twice over.
const NAMES = 1500;

const skip = containerSkipReason() ?? (existsSync(BUNDLE) ? undefined : 'needs the bundle: npm run build');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  first: string;
  stderr: string;
}

describe('a closed output pipe', { skip, timeout: 180_000 }, () => {
  let env: ContainerTestEnv;

  before(async () => {
    env = await ContainerTestEnv.create('epipe');
  });
  after(() => env.cleanup());

  // The built CLI with stdout a real pipe, whose read end this process closes after the first line.
  const closedAfterFirstLine = (args: string[]): Promise<Ended> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BUNDLE, '--data-root', env.dataRoot, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NERDNET_RUNC_ROOT: env.runcRoot, NETCONFPATH: join(env.dir, 'net.d'), NERDNET_CNI_CACHE_DIR: join(env.dir, 'cni'), NERDNET_RUN_DIR: join(env.dir, 'run') },
      });
      let out = '';
      let first = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const nl = out.indexOf('\n');
        if (nl >= 0 && first === '') {
          first = out.slice(0, nl);
          child.stdout.destroy();
        }
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, first, stderr }));
    });

  // Names of removed containers: garbage the sweep releases one by one, one output line each.
  const plantStaleNames = async (): Promise<void> => {
    const dir = join(env.store(), 'names', 'default');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (let i = 0; i < NAMES; i++) await writeFile(join(dir, `gone-${i}`), i.toString(16).padStart(64, 'a'), { mode: 0o600 });
  };

  const assertQuiet = (r: Ended): void => {
    assert.equal(r.signal, null);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /);
  };

  it('network gc --dry-run (one long write): exit 0, no trace', async () => {
    await plantStaleNames();
    const r = await closedAfterFirstLine(['network', 'gc', '--dry-run']);
    assert.equal(r.first, 'Would release network state:');
    assertQuiet(r);
    assert.equal(env.entries('names/default').length, NAMES);
  });

  it('system prune -f (a line per released item): exit 0, no trace, and the sweep released everything', async () => {
    const r = await closedAfterFirstLine(['system', 'prune', '-f']);
    assert.equal(r.first, 'Released network state:');
    assertQuiet(r);
    assert.deepEqual(env.entries('names/default'), []);
    assert.match(env.ok(['network', 'gc', '--dry-run']), /^Total: 0 item\(s\)/m);
  });
});

describe('an output that fails otherwise', { skip: existsSync(BUNDLE) && existsSync('/dev/full') ? undefined : 'needs the bundle and /dev/full' }, () => {
  it('stdout on a full device: exit 1 with the write error on stderr, not a trace', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [BUNDLE, 'completion', 'bash'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.equal(r.stderr, 'nerdnet: cannot write the output: ENOSPC: no space left on device, write\n');
    } finally {
      closeSync(full);
    }
  });
});
