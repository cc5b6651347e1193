// A create that fails leaves nothing behind:
// no state dir, no name, no hosts entry, no runc container, no mount; the message names the value.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerTestEnv, HOST, NONE, containerSkipReason } from './container-harness.js';

describe('nerdnet create/run failures leave nothing behind', { skip: containerSkipReason() }, () => {
  let env: ContainerTestEnv;
  let holderId: string;

  before(async () => {
    env = await ContainerTestEnv.create('cfail');
    await writeFile(join(env.dir, 'a-file'), '');
    holderId = env.ok(['create', '--name', 'holder', ...NONE, '--rootfs', env.rootfs, 'true']).trim();
  });

  after(async () => {
    env.ok(['rm', 'holder']);
    assert.deepEqual(env.entries('containers/default'), []);
    assert.deepEqual(env.entries('names/default'), []);
    const { leftRunc } = await env.cleanup();
    assert.deepEqual(leftRunc, []);
  });

  // Only the holder container exists, before and after.
  function assertNothingLeft(): void {
    assert.deepEqual(env.entries('containers/default'), [holderId]);
    assert.deepEqual(env.entries('names/default'), ['holder']);
    assert.deepEqual(env.entries('etchosts/default'), [holderId]);
    assert.deepEqual(env.runcIds(), []);
    assert.deepEqual(env.mountsUnder(), []);
  }

  const cases: Array<[string, (rootfs: string, dir: string) => string[], RegExp]> = [
    ['a missing --rootfs', (_r, d) => ['run', ...NONE, '--rootfs', join(d, 'nope'), 'true'], /invalid --rootfs: rootfs directory .*nope does not exist or is not a directory/],
    ['a --rootfs that is a file', (_r, d) => ['run', ...NONE, '--rootfs', join(d, 'a-file'), 'true'], /invalid --rootfs: rootfs directory .*a-file does not exist or is not a directory/],
    ['a bad --dns', (r) => ['run', ...NONE, '--dns', '1.2.3', '--rootfs', r, 'true'], /invalid --dns value "1\.2\.3"/],
    ['a bad --add-host', (r) => ['run', ...HOST, '--add-host', 'nocolon', '--rootfs', r, 'true'], /bad format for add-host "nocolon"/],
    ['a bad --hostname', (r) => ['run', ...NONE, '-h', 'bad host', '--rootfs', r, 'true'], /invalid --hostname "bad host"/],
    ['a bad --name', (r) => ['run', ...NONE, '--name', 'a/b', '--rootfs', r, 'true'], /invalid container name "a\/b"/],
    ['a name in use', (r) => ['run', ...NONE, '--name', 'holder', '--rootfs', r, 'true'], /name "holder" is already used by ID "[0-9a-f]{64}"/],
    ['a network that does not exist', (r) => ['run', '--network', 'no-such-net', '--rootfs', r, 'true'], /no such network: "no-such-net"/],
    ['host combined with none', (r) => ['run', '--network', 'host,none', '--rootfs', r, 'true'], /cannot be combined with other networks/],
    ['a bad --user', (r) => ['run', ...NONE, '-u', 'nobody', '--rootfs', r, 'true'], /invalid --user "nobody"/],
    ['a missing volume source', (r, d) => ['run', ...NONE, '-v', `${join(d, 'nope')}:/x`, '--rootfs', r, 'true'], /does not exist on the host/],
    ['an internal label', (r) => ['run', ...NONE, '-l', 'nerdctl/name=x', '--rootfs', r, 'true'], /internal label "nerdctl\/name"/],
    ['no command', (r) => ['run', ...NONE, '--rootfs', r], /no command specified/],
    ['an unknown image', () => ['run', ...NONE, 'no-such-image:1'], /no-such-image/],
    ['an unknown flag', (r) => ['run', ...NONE, '--bogus', '--rootfs', r, 'true'], /unknown option '--bogus'/],
    ['-d with -t', (r) => ['run', '-d', '-t', ...NONE, '--rootfs', r, 'sh'], /detached container a terminal/],
  ];

  for (const [what, args, message] of cases) {
    it(`fails on ${what}`, () => {
      const r = env.cli(args(env.rootfs, env.dir));
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, message);
      assertNothingLeft();
    });
  }
});
