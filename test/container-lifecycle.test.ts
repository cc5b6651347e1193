// Detached containers: ps, exit on their own (reaped by the monitor with no further command), logs,
// exec, stop/kill/rm/rm -f, start again, --rm, name conflicts. Polls; never asserts timings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerTestEnv, NONE, containerSkipReason } from './container-harness.js';

// Prints, waits for the test to create /ctl/go, prints to stderr, exits 7.
const GATED = 'echo hello; while [ ! -e /ctl/go ]; do sleep 0.1; done; echo bye >&2; exit 7';

describe('nerdnet detached containers', { skip: containerSkipReason() }, () => {
  let env: ContainerTestEnv;
  const status = (name: string): string | undefined =>
    env
      .ok(['ps', '-a', '--format', '{{.Names}}|{{.Status}}'])
      .split('\n')
      .find((l) => l.startsWith(`${name}|`))
      ?.slice(name.length + 1);

  before(async () => {
    env = await ContainerTestEnv.create('clife');
  });

  after(async () => {
    const { leftRunc } = await env.cleanup();
    assert.deepEqual(leftRunc, [], 'no runc container of this test may be left');
  });

  it('run -d prints the ID; ps shows it Up; it exits on its own and ps -a shows Exited (code)', async () => {
    // It exits on its own once the test creates /ctl/go: no timing is assumed anywhere.
    const out = env.ok(['run', '-d', '--name', 'short', ...NONE, '-v', `${env.dir}:/ctl`, '--rootfs', env.rootfs, 'sh', '-c', GATED]);
    const id = out.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const table = env.ok(['ps']);
    assert.match(table.split('\n')[0] ?? '', /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    assert.match(table, new RegExp(`^${id.slice(0, 12)}\\s.*\\sUp\\s.*short$`, 'm'));
    assert.deepEqual(env.runcIds(), [id]);
    await writeFile(join(env.dir, 'go'), '');
    // No further command: the monitor records the exit and deletes the runc container. runc removes
    // its container before the monitor writes the exit code, so wait on what the user sees (ps), not runc.
    await ContainerTestEnv.until('ps -a to show short exited', () => (/^Exited/.test(status('short') ?? '') ? true : undefined));
    assert.match(status('short') ?? '', /^Exited \(7\) /);
    assert.deepEqual(env.runcIds(), []);
    assert.equal(env.ok(['logs', 'short']), 'hello\nbye\n');
    assert.equal(env.ok(['ps', '-q']), '');
    assert.equal(env.ok(['ps', '-aq', '--no-trunc']).trim(), id);
  });

  it('start runs an exited container again; logs -f follows until it exits', async () => {
    await rm(join(env.dir, 'go'));
    env.ok(['start', 'short']);
    await writeFile(join(env.dir, 'go'), '');
    const followed = env.ok(['logs', '-f', 'short']);
    assert.equal(followed, 'hello\nbye\nhello\nbye\n');
    assert.match(status('short') ?? '', /^Exited \(7\) /);
  });

  it('exec runs in a running container and returns its exit code', () => {
    env.ok(['run', '-d', '--name', 'svc', ...NONE, '--rootfs', env.rootfs, 'sleep', '300']);
    const r = env.cli(['exec', 'svc', 'sh', '-c', 'echo in-$(hostname); tr "\\0" " " </proc/1/cmdline; echo; exit 5']);
    assert.equal(r.status, 5, r.stderr);
    const id = env.ok(['inspect', '--format', '{{.Id}}', 'svc']).trim();
    assert.equal(r.stdout, `in-${id.slice(0, 12)}\nsleep 300 \n`);
  });

  it('rm of a running container is refused, naming it; a name conflict names the holder', () => {
    const rm = env.cli(['rm', 'svc']);
    assert.equal(rm.status, 1);
    assert.match(rm.stderr, /container svc \([0-9a-f]{12}\) is running: stop it first .* rm -f svc/);
    const id = env.ok(['inspect', '--format', '{{.Id}}', 'svc']).trim();
    const dup = env.cli(['run', '-d', '--name', 'svc', ...NONE, '--rootfs', env.rootfs, 'true']);
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, new RegExp(`name "svc" is already used by ID "${id}"`));
  });

  it('stop sends SIGTERM, then SIGKILL after -t; the container shows Exited (137)', () => {
    // PID 1 ignores SIGTERM without a handler, so this one needs the SIGKILL.
    assert.equal(env.ok(['stop', '-t', '1', 'svc']), 'svc\n');
    assert.match(status('svc') ?? '', /^Exited \(137\) /);
    assert.equal(env.runcIds().length, 0);
    // A trapped SIGTERM ends it with the trap's code, no SIGKILL needed.
    env.ok(['run', '-d', '--name', 'polite', ...NONE, '--rootfs', env.rootfs, 'sh', '-c', 'trap "exit 42" TERM; while :; do sleep 0.1; done']);
    env.ok(['stop', 'polite']);
    assert.match(status('polite') ?? '', /^Exited \(42\) /);
  });

  it('kill -s sends a signal; kill of a stopped container fails', async () => {
    env.ok(['start', 'svc']);
    assert.equal(status('svc'), 'Up');
    env.ok(['kill', '-s', 'KILL', 'svc']);
    await ContainerTestEnv.until('svc to exit', () => (/^Exited \(137\)/.test(status('svc') ?? '') ? true : undefined));
    const again = env.cli(['kill', 'svc']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /cannot kill container svc .*not running/);
    const bad = env.cli(['kill', '-s', 'NOPE', 'svc']);
    assert.match(bad.stderr, /invalid signal "NOPE"/);
  });

  it('rm -f kills a running container and removes everything of it', () => {
    env.ok(['start', 'svc']);
    const id = env.ok(['inspect', '--format', '{{.Id}}', 'svc']).trim();
    assert.equal(env.ok(['rm', '-f', 'svc']), 'svc\n');
    assert.ok(!env.entries('containers/default').includes(id));
    assert.ok(!env.entries('names/default').includes('svc'));
    assert.ok(!env.entries('etchosts/default').includes(id));
    assert.ok(!env.runcIds().includes(id));
    assert.match(env.cli(['inspect', 'svc']).stderr, /no such container: svc/);
  });

  it('run -d --rm: the container removes itself after it exits', async () => {
    await rm(join(env.dir, 'go'));
    const id = env.ok(['run', '-d', '--rm', '--name', 'selfrm', ...NONE, '-v', `${env.dir}:/ctl`, '--rootfs', env.rootfs, 'sh', '-c', GATED]).trim();
    assert.equal(status('selfrm'), 'Up');
    await writeFile(join(env.dir, 'go'), '');
    await ContainerTestEnv.until('selfrm to be removed', () => (env.entries('containers/default').includes(id) ? undefined : true));
    assert.ok(!env.entries('names/default').includes('selfrm'));
    assert.equal(status('selfrm'), undefined);
  });

  it('run -d -i keeps stdin open, so an interactive shell stays up', () => {
    env.ok(['run', '-d', '-i', '--name', 'inter', ...NONE, '--rootfs', env.rootfs, 'sh']);
    assert.equal(status('inter'), 'Up');
    env.ok(['rm', '-f', 'inter']);
  });

  it('removes the remaining containers by name and ID prefix', () => {
    const politeId = env.ok(['inspect', '--format', '{{.Id}}', 'polite']).trim();
    assert.equal(env.ok(['rm', 'short', politeId.slice(0, 8)]), `short\n${politeId.slice(0, 8)}\n`);
    assert.equal(env.ok(['ps', '-aq']), '');
    assert.deepEqual(env.entries('containers/default'), []);
    assert.deepEqual(env.entries('names/default'), []);
    assert.deepEqual(env.entries('etchosts/default'), []);
  });
});
