// `nerdnet run` attached, with --network none and host: output, exit code, the files and
// namespaces a container gets, --rm, inspect. Real runc, busybox rootfs, temp data root and runc root.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { busyboxImageArchive } from './helpers/busybox-image.js';
import { ContainerTestEnv, ENTRY, HOST, NONE, containerSkipReason } from './container-harness.js';

interface Inspected {
  Id: string;
  Name: string;
  Path: string;
  Args: string[];
  State: Record<string, unknown>;
  Config: { Hostname: string; Labels: Record<string, string> };
  HostConfig: { NetworkMode: string };
  NetworkSettings: Record<string, unknown>;
}

describe('nerdnet run (attached)', { skip: containerSkipReason() }, () => {
  let env: ContainerTestEnv;

  before(async () => {
    env = await ContainerTestEnv.create('crun');
  });

  after(async () => {
    const { leftRunc } = await env.cleanup();
    assert.deepEqual(leftRunc, [], 'no runc container of this test may be left');
  });

  it('streams the output and exits with the container exit code', () => {
    const r = env.cli(['run', ...NONE, '--rootfs', env.rootfs, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err$/m);
    const ps = env.ok(['ps', '-a', '--format', '{{.Status}}']);
    assert.match(ps, /^Exited \(3\)/);
  });

  it('passes options after the command to the command, not to nerdnet (ls -a, -h)', () => {
    const r = env.cli(['run', '--rm', ...NONE, '--rootfs', env.rootfs, 'ls', '-a', '/']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\.\.$/m);
  });

  it('--network none: only lo, hostname = 12 characters of the ID, HOSTNAME env, ping over loopback', () => {
    const r = env.cli(['run', '--name', 'none1', ...NONE, '--rootfs', env.rootfs, 'sh', '-c', 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "; cat /etc/hostname; echo "env=$HOSTNAME"; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo ping-ok']);
    assert.equal(r.status, 0, r.stderr);
    const id = env.ok(['inspect', '--format', '{{.Id}}', 'none1']).trim();
    assert.equal(r.stdout, `lo\n${id.slice(0, 12)}\nenv=${id.slice(0, 12)}\nping-ok\n`);
  });

  it('--network host: the host hostname, --dns and --add-host in the files, --hostname override', () => {
    const r = env.cli(['run', '--rm', ...HOST, '--dns', '10.200.0.53', '--dns-search', 'example.test', '--add-host', 'db:10.200.0.5', '--rootfs', env.rootfs, 'sh', '-c', 'hostname; cat /etc/resolv.conf; grep db /etc/hosts']);
    assert.equal(r.status, 0, r.stderr);
    const [first, ...rest] = r.stdout.split('\n');
    assert.equal(first, hostname());
    assert.match(rest.join('\n'), /^nameserver 10\.200\.0\.53$/m);
    assert.match(rest.join('\n'), /^search example\.test$/m);
    assert.match(rest.join('\n'), /^10\.200\.0\.5\s+db$/m);
    const o = env.cli(['run', '--rm', ...HOST, '-h', 'override', '--rootfs', env.rootfs, 'hostname']);
    assert.equal(o.stdout, 'override\n', o.stderr);
  });

  it('--rm removes the container, its name and its files after it exits', () => {
    const before = env.entries('containers/default').length;
    const r = env.cli(['run', '--rm', '--name', 'gone', ...NONE, '--rootfs', env.rootfs, 'sh', '-c', 'exit 4']);
    assert.equal(r.status, 4, r.stderr);
    assert.equal(env.entries('containers/default').length, before);
    assert.ok(!env.entries('names/default').includes('gone'));
    assert.doesNotMatch(env.ok(['ps', '-a', '--format', '{{.Names}}']), /^gone$/m);
  });

  it('-e, -w and -u reach the process', () => {
    const r = env.cli(['run', '--rm', ...NONE, '-e', 'FOO=bar', '-e', 'FROM_SHELL', '-w', '/tmp', '-u', '1000:1001', '--rootfs', env.rootfs, 'sh', '-c', 'echo $FOO $FROM_SHELL; pwd; id -u; id -g'], {
      env: { FROM_SHELL: 'shell' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'bar shell\n/tmp\n1000\n1001\n');
  });

  it('a command that does not exist fails with runc\'s reason and the container name', () => {
    const r = env.cli(['run', '--name', 'nocmd', ...NONE, '--rootfs', env.rootfs, 'no-such-command']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /container nocmd \([0-9a-f]{12}\) failed to start: .*no-such-command.*not found/);
    // A run that cannot start leaves nothing behind.
    assert.doesNotMatch(env.ok(['ps', '-a']), /nocmd/);
    assert.ok(!env.entries('names/default').includes('nocmd'), 'name released');
  });

  it('-t gives the process the terminal nerdnet runs in (under script(1))', { skip: existsSync('/usr/bin/script') ? false : 'needs script(1) from util-linux' }, () => {
    const line = [process.execPath, '--import', 'tsx', ENTRY, '--data-root', env.dataRoot, 'run', '--rm', '-t', ...NONE, '--rootfs', env.rootfs, 'sh', '-c', 'tty; echo $TERM; exit 6'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', line, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NERDNET_RUNC_ROOT: env.runcRoot }, timeout: 60_000 });
    assert.equal(r.status, 6, r.stdout + r.stderr);
    assert.match(r.stdout, /\/dev\/pts\/\d+\r?\nxterm\r?\n/);
    const noTty = env.cli(['run', '--rm', '-t', ...NONE, '--rootfs', env.rootfs, 'true']);
    assert.match(noTty.stderr, /the input device is not a TTY/);
  });

  it('runs from a loaded image on an overlay rootfs that rm unmounts', async () => {
    env.ok(['load', '-i', await busyboxImageArchive()]);
    const r = env.cli(['run', '--name', 'fromimg', ...NONE, 'busybox', 'sh', '-c', 'echo changed > /etc/motd; cat /etc/motd']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'changed\n');
    assert.match(env.ok(['ps', '-a', '--format', '{{.Image}} {{.Names}}']), /^docker\.io\/library\/busybox:latest fromimg$/m);
    assert.equal(env.mountsUnder().filter((m) => m.endsWith('/rootfs')).length, 1);
    env.ok(['rm', 'fromimg']);
    assert.deepEqual(env.mountsUnder(), []);
    const missing = env.cli(['run', ...NONE, 'no-such-image']);
    assert.match(missing.stderr, /no-such-image/);
    assert.deepEqual(env.mountsUnder(), []);
  });

  it('inspect shows Docker fields', () => {
    env.ok(['create', '--name', 'insp', ...NONE, '-h', 'insp-host', '-l', 'app=web', '--rootfs', env.rootfs, 'sh', '-c', 'exit 0']);
    const [c] = JSON.parse(env.ok(['inspect', 'insp'])) as Inspected[];
    assert.ok(c);
    assert.match(c.Id, /^[0-9a-f]{64}$/);
    assert.equal(c.Name, 'insp');
    assert.equal(c.Path, 'sh');
    assert.deepEqual(c.Args, ['-c', 'exit 0']);
    assert.equal(c.State.Status, 'created');
    assert.equal(c.State.Running, false);
    assert.equal(c.Config.Hostname, 'insp-host');
    assert.equal(c.Config.Labels.app, 'web');
    assert.equal(c.Config.Labels['nerdctl/name'], 'insp');
    assert.equal(c.HostConfig.NetworkMode, 'none');
    assert.ok('Networks' in c.NetworkSettings);
    assert.equal(env.cli(['start', '-a', 'insp']).status, 0);
    const s = (JSON.parse(env.ok(['inspect', 'insp'])) as Inspected[])[0]?.State ?? {};
    assert.equal(s.Status, 'exited');
    assert.equal(s.ExitCode, 0);
    assert.ok(Date.parse(String(s.FinishedAt)) >= Date.parse(String(s.StartedAt)));
  });

  it('--format takes Go templates: range over labels in key order, if/else, a missing key; ps with a table header', () => {
    const labels = env.ok(['inspect', '--format', '{{range $k, $v := .Config.Labels}}{{if eq $k "app"}}{{$k}}={{$v}};{{end}}{{end}}{{.State.Status | upper}} {{.Config.Labels.nope}}', 'insp']);
    assert.equal(labels, 'app=web;EXITED <no value>\n');
    const ps = env.ok(['ps', '-a', '--format', 'table {{.Names}}\\t{{printf "%.6s" .Status}}']);
    assert.match(ps, /^NAMES {4,}STATUS\n/);
    assert.match(ps, /^insp {4,}Exited$/m);
    assert.match(env.cli(['ps', '-a', '--format', '{{.Nope}}']).stderr, /can't evaluate field Nope in \. \(fields: /);
  });
});
