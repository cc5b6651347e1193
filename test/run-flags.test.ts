// The run/create flags nerdctl users type that nerdnet used to refuse, end to end (runc, the hook,
// Debian's plugins, busybox on the test's own networks): --expose and -P/--publish-all with
// ExposedPorts and PortBindings in inspect, -p '' refused, NetworkMode = the first network,
// --uts host and its conflicts, --network ns:<path>; restart and ps --filter.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { ContainerTestEnv, NONE, containerSkipReason } from './container-harness.js';
import { CrashRig } from './helpers/crash.js';
import { rootSkipReason, sh, shOk } from './helpers/host.js';

const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']);

interface Inspected {
  Config: { Hostname: string; ExposedPorts?: Record<string, object> };
  HostConfig: { NetworkMode: string; PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> };
  NetworkSettings: { Ports?: Record<string, Array<{ HostIp: string; HostPort: string }>> };
}

describe('run flags: --expose, -P, -p \'\', inspect shape, --uts host', { skip, timeout: 600_000 }, () => {
  let rig: CrashRig;
  const inspect = (ref: string) => (JSON.parse(rig.ok(['inspect', ref])) as Inspected[])[0] as Inspected;
  const fetch = (port: number) => execFileSync('busybox', ['wget', '-qO-', `http://127.0.0.1:${port}/i`], { encoding: 'utf8' });

  before(async () => {
    rig = await CrashRig.create('runflags');
  });

  after(async () => {
    const leaks = await rig.cleanup();
    assert.deepEqual(leaks, []);
  });

  it('--expose only: ExposedPorts in inspect, nothing published (PortBindings {})', () => {
    const n = rig.network('exp');
    const r = rig.runD(['--network', n.name, '--expose', '80', '--expose', '53/udp,8000-8001', 'busybox', 'sleep', '300']);
    assert.ok(r.id, r.stderr);
    const i = inspect(r.id);
    assert.deepEqual(i.Config.ExposedPorts, { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} });
    assert.deepEqual(i.HostConfig.PortBindings, {});
    assert.equal(rig.ok(['port', r.id]), '');
    const bad = rig.nn(['run', '--rm', '--network', n.name, '--expose', '80/icmp', 'busybox', 'true']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /invalid --expose "80\/icmp"/);
  });

  it('-P publishes every exposed port on an automatic host port, reachable on loopback; PortBindings = NetworkSettings.Ports', async () => {
    const n = rig.network('pall');
    const explicit = 36000 + Math.floor(Math.random() * 2000);
    const r = rig.runD(['--network', n.name, '-P', '--expose', '80', '--expose', '81', '-p', `127.0.0.1:${explicit}:81`, 'busybox', 'sh', '-c', 'echo ok > /i; httpd -p 81 -h /; exec httpd -f -p 80 -h /']);
    assert.ok(r.id, r.stderr);
    const i = inspect(r.id);
    const bindings = i.HostConfig.PortBindings;
    assert.deepEqual(Object.keys(bindings).sort(), ['80/tcp', '81/tcp']);
    assert.deepEqual(bindings['81/tcp'], [{ HostIp: '127.0.0.1', HostPort: String(explicit) }], 'an exposed port that -p publishes gets no second, automatic one');
    const auto = Number(bindings['80/tcp']?.[0]?.HostPort);
    assert.ok(auto >= 49153 && auto <= 60999, `automatic host port ${auto}`);
    assert.deepEqual(bindings, i.NetworkSettings.Ports);
    await ContainerTestEnv.until('httpd up', () => {
      try {
        return fetch(auto);
      } catch {
        return undefined;
      }
    });
    assert.equal(fetch(auto).trim(), 'ok');
    assert.equal(fetch(explicit).trim(), 'ok');
  });

  it("-p '' is refused as nerdctl does (no port specified), nothing is made", () => {
    const n = rig.network('empty');
    const before = rig.env.entries('containers/default').length;
    const r = rig.nn(['run', '-d', '--network', n.name, '-p', '', 'busybox', 'sleep', '1']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no port specified/);
    assert.equal(rig.env.entries('containers/default').length, before);
  });

  it('NetworkMode is the first network; PortBindings {} without -p', () => {
    const a = rig.network('nm1');
    const b = rig.network('nm2');
    const r = rig.runD(['--network', `${a.name},${b.name}`, 'busybox', 'sleep', '300']);
    assert.ok(r.id, r.stderr);
    const i = inspect(r.id);
    assert.equal(i.HostConfig.NetworkMode, a.name);
    assert.deepEqual(i.HostConfig.PortBindings, {});
    assert.equal(rig.ok(['inspect', '--format', '{{.HostConfig.NetworkMode}}', r.id]), `${a.name}\n`);
  });

  it("--uts host: the host's hostname, no /etc/hostname of its own; with --hostname or --domainname an error", () => {
    const n = rig.network('uts');
    const onCni = rig.nn(['run', '--rm', '--network', n.name, '--uts', 'host', 'busybox', 'sh', '-c', 'hostname; grep -c " /etc/hostname " /proc/self/mountinfo || true']);
    assert.equal(onCni.status, 0, onCni.stderr);
    assert.equal(onCni.stdout, `${hostname()}\n0\n`);
    const onNone = rig.env.cli(['run', '--rm', ...NONE, '--uts=host', '--rootfs', rig.env.rootfs, 'hostname']);
    assert.equal(onNone.stdout, `${hostname()}\n`, onNone.stderr);
    for (const flag of [['--hostname', 'x'], ['--domainname', 'example.test']]) {
      const r = rig.nn(['run', '--rm', '--network', n.name, '--uts', 'host', ...flag, 'busybox', 'true']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /conflicting options: cannot set --hostname and\/or --domainname with --uts=host/);
    }
    const bad = rig.nn(['run', '--rm', '--network', n.name, '--uts', 'private', 'busybox', 'true']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /invalid --uts "private"/);
  });

  it('--network ns:/run/netns/NAME joins that namespace: its interfaces, the host hostname, NetworkMode ns:<path>', () => {
    const name = `nnns-${rig.tag}`;
    const path = `/run/netns/${name}`;
    const [va, vb] = [`nna${rig.tag}`, `nnb${rig.tag}`];
    sh('ip', ['netns', 'add', name]);
    try {
      sh('ip', ['-n', name, 'link', 'add', va, 'type', 'veth', 'peer', 'name', vb]);
      sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      const r = rig.nn(['run', '--name', `ns-${rig.tag}`, '--network', `ns:${path}`, 'busybox', 'sh', '-c', 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort; hostname']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${[va, vb, 'lo'].sort().join('\n')}\n${hostname()}\n`);
      const i = inspect(`ns-${rig.tag}`);
      assert.equal(i.HostConfig.NetworkMode, `ns:${path}`);
      assert.equal(rig.nn(['rm', `ns-${rig.tag}`]).status, 0);
      const missing = rig.nn(['run', '--rm', '--network', `ns:/run/netns/${name}-missing`, 'busybox', 'true']);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /does not exist; create the namespace first/);
      const relative = rig.nn(['run', '--rm', '--network', 'ns:netns', 'busybox', 'true']);
      assert.equal(relative.status, 1);
      assert.match(relative.stderr, /give the absolute path of a network namespace/);
    } finally {
      if (shOk('ip', ['netns', 'pids', name])) sh('ip', ['netns', 'delete', name]);
    }
    assert.equal(shOk('ip', ['netns', 'pids', name]), false, 'the test netns is gone');
  });

  it('restart -t 1: stopped and started again, its published port answering again', async () => {
    const n = rig.network('rst');
    const port = 38000 + Math.floor(Math.random() * 2000);
    const name = `rst-${rig.tag}`;
    const r = rig.runD(['--name', name, '--network', n.name, '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', 'echo ok > /i; exec httpd -f -p 80 -h /']);
    assert.ok(r.id, r.stderr);
    const up = () => ContainerTestEnv.until('httpd up', () => {
      try {
        return fetch(port);
      } catch {
        return undefined;
      }
    });
    await up();
    const pid1 = JSON.parse(rig.ok(['inspect', '--format', '{{json .State.Pid}}', name])) as number;
    const restarted = rig.nn(['restart', '-t', '1', name]);
    assert.equal(restarted.status, 0, restarted.stderr);
    assert.equal(restarted.stdout, `${name}\n`);
    assert.equal(rig.ok(['inspect', '--format', '{{.State.Status}}', name]), 'running\n');
    assert.notEqual(JSON.parse(rig.ok(['inspect', '--format', '{{json .State.Pid}}', name])), pid1, 'a new process');
    assert.equal((await up()).trim(), 'ok');
    // A stopped container is started; an unknown one is an error, exit 1.
    rig.ok(['stop', '-t', '1', name]);
    assert.equal(rig.nn(['restart', name]).status, 0);
    assert.equal(rig.ok(['inspect', '--format', '{{.State.Status}}', name]), 'running\n');
    const missing = rig.nn(['restart', `nosuch-${rig.tag}`]);
    assert.equal(missing.status, 1);
    assert.match(rig.nn(['restart', '-t', 'x', name]).stderr, /invalid --time "x"/);
  });

  it('ps --filter: id, name, label, status, exited, network, ancestor, before/since; volume and unknown keys refused', () => {
    const n = rig.network('flt');
    const t = rig.tag;
    const names = (args: string[]) => rig.ok(['ps', ...args, '--format', '{{.Names}}']).split('\n').filter((x) => /^f.-/.test(x) && x.endsWith(t)).sort();
    const web = rig.runD(['--name', `fa-${t}`, '-l', 'app=web', '--network', 'none', 'busybox', 'sleep', '300']);
    assert.ok(web.id, web.stderr);
    assert.equal(rig.nn(['run', '--name', `fb-${t}`, '--network', 'none', 'busybox', 'sh', '-c', 'exit 3']).status, 3);
    rig.idOf(`fb-${t}`);
    const created = rig.ok(['create', '--name', `fc-${t}`, '--network', 'none', 'busybox', 'true']).trim();
    rig.ids.push(created);
    assert.ok(rig.runD(['--name', `fd-${t}`, '--network', n.name, 'busybox', 'sleep', '300']).id);
    assert.deepEqual(names(['--filter', 'label=app=web']), [`fa-${t}`]);
    assert.deepEqual(names(['--filter', 'label=app']), [`fa-${t}`]);
    assert.deepEqual(names(['--filter', 'status=exited']), [`fb-${t}`], 'a status filter looks at stopped containers without -a');
    assert.deepEqual(names(['--filter', 'status=created']), [`fc-${t}`]);
    assert.deepEqual(names(['--filter', 'exited=3']), [`fb-${t}`]);
    assert.deepEqual(names(['--filter', 'exited=0']), []);
    assert.deepEqual(names(['-a', '--filter', `name=^fc-${t}$`]), [`fc-${t}`]);
    assert.deepEqual(names(['-a', '--filter', `id=${web.id?.slice(0, 10)}`]), [`fa-${t}`]);
    assert.deepEqual(names(['--filter', `network=${n.name}`]), [`fd-${t}`]);
    assert.deepEqual(names(['--filter', 'network=none']), [`fa-${t}`]);
    assert.deepEqual(names(['--filter', 'network=none', '--filter', `network=${n.name}`]), [`fa-${t}`, `fd-${t}`], 'one kind OR');
    assert.deepEqual(names(['--filter', 'network=none', '--filter', 'label=app=nope']), [], 'kinds AND');
    assert.deepEqual(names(['-a', '--filter', 'ancestor=busybox', '--filter', `name=^f.-${t}$`]).length, 4);
    assert.deepEqual(names(['-a', '--filter', `since=fb-${t}`]), [`fc-${t}`, `fd-${t}`]);
    assert.deepEqual(names(['-a', '--filter', `before=fb-${t}`]), [`fa-${t}`]);
    assert.equal(rig.ok(['ps', '-q', '--no-trunc', '--filter', 'label=app=web']), `${web.id}\n`);
    const volume = rig.nn(['ps', '--filter', 'volume=/data']);
    assert.equal(volume.status, 1);
    assert.match(volume.stderr, /the volume filter is not supported/);
    const unknown = rig.nn(['ps', '--filter', 'colour=red']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /invalid --filter "colour=red": give KEY=VALUE with KEY one of id, name/);
    assert.match(rig.nn(['ps', '--filter', 'status=sleeping']).stderr, /status is one of created, running, exited/);
  });
});
