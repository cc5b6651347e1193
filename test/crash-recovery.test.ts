// Crash recovery, as a user meets it: nerdnet's hook (or runc, or the whole machine) dies at a named
// step of create or stop (NERDNET_FAULT, src/lib/fault.ts). Each time the same container starts
// again (no "duplicate allocation"), reaches a running peer by name and is reached by it, and after
// `rm` + `system prune` the host is exactly as before: leases, veths, per-container chains and rules,
// the CNI cache, the store and the run dir (snapshot before vs after, plus the leak audit).
// The `run`/`create` and `rm` CLI processes are killed at every step too: `system prune -f` then
// leaves nothing, and a `run --name` of the same name works.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';
import { CrashRig, type RigNetwork } from './helpers/crash.js';
import { rootSkipReason } from './helpers/host.js';
import { FAULT_POINTS } from '../src/lib/fault.js';

const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']);

describe('crash recovery: a crash at any step, then start, then rm + system prune', { skip, timeout: 1_800_000 }, () => {
  let rig: CrashRig;
  let net: RigNetwork;
  let peer: string;
  let peerId: string;
  let port = 33000 + Math.floor(Math.random() * 2000);
  const figures: string[] = [];

  before(async () => {
    rig = await CrashRig.create('crash');
    net = rig.network('a');
    peer = `peer-${rig.tag}`;
    const r = rig.runD(['--name', peer, '--network', net.name, '-p', `127.0.0.1:${port++}:80`, 'busybox', 'sleep', '7200']);
    assert.equal(r.status, 0, r.stderr);
    peerId = r.id ?? '';
  });

  after(async () => {
    process.stderr.write(`crash figures:\n${figures.join('\n')}\n`);
    const leaks = await rig.cleanup();
    assert.deepEqual(leaks, []);
  });

  // Create a victim whose hook carries the fault (the hook's environment is frozen at create).
  const createVictim = (label: string, fault?: string): string => {
    const env = fault ? { NERDNET_FAULT: fault, NERDNET_FAULT_ONCE: join(rig.env.dir, `fault-${label}`) } : {};
    const id = rig.ok(['create', '--name', `${label}-${rig.tag}`, '--network', net.name, '-p', `127.0.0.1:${port++}:80`, 'busybox', 'sleep', '7200'], env).trim();
    rig.ids.push(id);
    return id;
  };

  const garbageCount = (): number => Number(/^Total: (\d+) item/m.exec(rig.ok(['network', 'gc', '--dry-run']))?.[1]);

  // The recovery every scenario must show: start works, names resolve both ways, nothing is left.
  // gcFirst: `network gc` releases the crash's leftovers before the restart (else the restart heals them).
  const recover = (t: TestContext, label: string, id: string, before: string[], found: number, gcFirst = false): void => {
    const name = `${label}-${rig.tag}`;
    let swept = '';
    if (gcFirst) {
      const gc = rig.ok(['network', 'gc']);
      assert.equal(Number(/^Total: (\d+) item\(s\) released$/m.exec(gc)?.[1]), found, gc);
      assert.equal(garbageCount(), 0);
      const kinds = gc.split('\n').filter((l) => /^(attachment|lease|iptables|veth|port reserver|hosts|name|state dir) /.test(l)).map((l) => (/^(hosts|port|state) /.test(l) ? l.split(' ').slice(0, 2).join(' ') : (l.split(' ')[0] ?? '')));
      if (found > 0) swept = `; network gc released ${found} before the restart (${kinds.join(', ')})`;
    }
    const started = rig.nn(['start', name]);
    assert.equal(started.status, 0, `start after the crash: ${started.stderr}`);
    assert.doesNotMatch(started.stderr, /duplicate allocation/);
    rig.ok(['exec', name, 'ping', '-c1', '-W2', peer]);
    rig.ok(['exec', peer, 'ping', '-c1', '-W2', name]);
    rig.ok(['rm', '-f', name]);
    const pruned = rig.ok(['system', 'prune', '-f']);
    const released = Number(/^Total: (\d+) item\(s\) released/m.exec(pruned)?.[1]);
    assert.deepEqual(rig.snapshot([peerId]), before, `host state after rm + system prune:\n${pruned}`);
    assert.deepEqual(rig.leaks([id]), []);
    assert.equal(garbageCount(), 0, 'nothing left for a second prune');
    figures.push(`${label}: ${found} item(s) of garbage after the crash${swept}; restart ok; ${released} released by the final prune`);
    t.diagnostic(figures.at(-1) ?? '');
  };

  // The CLI killed at `point`, then `system prune -f` must leave the host as before, and the same
  // name must be free again. networked: on the rig's network with a published port (else --network
  // none); prepare: a running container to remove, for the rm points.
  const cliKilled = async (t: TestContext, point: string, networked: boolean): Promise<void> => {
    const label = `${point}${networked ? '-net' : ''}`;
    const name = `${label}-${rig.tag}`;
    const args = () => ['--name', name, ...(networked ? ['--network', net.name, '-p', `127.0.0.1:${port++}:80`] : ['--network', 'none']), 'busybox', 'sleep', '7200'];
    const before = rig.snapshot([peerId]);
    const fault = { NERDNET_FAULT: point };
    let r;
    if (point.startsWith('create-')) r = rig.runD(args(), fault);
    else {
      const victim = rig.runD(args());
      assert.equal(victim.status, 0, victim.stderr);
      r = rig.nn(['rm', '-f', name], fault);
    }
    assert.equal(r.status, null, `nerdnet was killed at ${point}: ${r.stderr}`);
    rig.idOf(name);
    const left = rig.snapshot([peerId]).filter((l) => !before.includes(l)).length;
    const found = garbageCount();
    const pruned = rig.ok(['system', 'prune', '-f']);
    const removed = (/^Deleted Containers:\n((?:[0-9a-f]{64}\n)*)/m.exec(pruned)?.[1] ?? '').split('\n').filter(Boolean).length;
    const released = Number(/^Total: (\d+) item\(s\) released/m.exec(pruned)?.[1]);
    assert.deepEqual(rig.snapshot([peerId]), before, `host state after system prune -f:\n${pruned}`);
    const again = rig.runD(args());
    assert.equal(again.status, 0, `run --name ${name} after the prune: ${again.stderr}`);
    if (networked) rig.ok(['exec', peer, 'ping', '-c1', '-W2', name]);
    rig.ok(['rm', '-f', name]);
    assert.deepEqual(rig.snapshot([peerId]), before);
    assert.deepEqual(rig.leaks(rig.ids.filter((i) => i !== peerId)), []);
    assert.equal(garbageCount(), 0, 'nothing left for a second prune');
    figures.push(`${label}: ${left} new entr(ies) on the host; network gc found ${found}; prune removed ${removed} container(s) and released ${released} item(s); run --name ok`);
    t.diagnostic(figures.at(-1) ?? '');
  };

  const createPoints = FAULT_POINTS.filter((p) => p.startsWith('create-'));
  const rmPoints = FAULT_POINTS.filter((p) => p.startsWith('rm-'));
  // Every step without networking; the steps where the CNI provider works (prepare, then the
  // finished create and rm's kill and network release) on the network too.
  const matrix: Array<[string, boolean]> = [
    ...createPoints.map((p): [string, boolean] => [p, false]),
    ['create-network', true],
    ['create-record', true],
    ...rmPoints.filter((p) => p !== 'rm-kill' && p !== 'rm-network').map((p): [string, boolean] => [p, false]),
    ['rm-kill', true],
    ['rm-network', true],
  ];
  for (const [point, networked] of matrix) {
    it(`CLI killed at ${point}${networked ? ' (networked)' : ''}, then system prune -f and run --name`, (t) => cliKilled(t, point, networked));
  }

  it('hook killed after CNI ADD, before the hosts store (hook-after-add)', (t) => {
    const before = rig.snapshot([peerId]);
    const id = createVictim('addcrash', 'hook-after-add');
    const r = rig.nn(['start', `addcrash-${rig.tag}`]);
    assert.notEqual(r.status, 0, 'the start whose hook died fails');
    assert.ok(existsSync(join(rig.env.dir, 'fault-addcrash', 'hook-after-add.fired')), 'the fault fired');
    recover(t, 'addcrash', id, before, garbageCount(), true);
  });

  it('hook killed while rewriting hosts files (hosts-regenerate)', (t) => {
    const before = rig.snapshot([peerId]);
    const id = createVictim('hostscrash', 'hosts-regenerate');
    const r = rig.nn(['start', `hostscrash-${rig.tag}`]);
    assert.notEqual(r.status, 0, 'the start whose hook died fails');
    assert.ok(existsSync(join(rig.env.dir, 'fault-hostscrash', 'hosts-regenerate.fired')));
    recover(t, 'hostscrash', id, before, garbageCount());
  });

  for (const point of ['hook-poststop-before-del', 'hook-poststop-after-del']) {
    it(`hook killed during postStop (${point})`, async (t) => {
      const label = point === 'hook-poststop-before-del' ? 'stopcrash' : 'delcrash';
      const before = rig.snapshot([peerId]);
      const id = createVictim(label, point);
      rig.ok(['start', `${label}-${rig.tag}`]);
      rig.nn(['stop', '-t', '1', `${label}-${rig.tag}`]);
      await ContainerTestEnv.until('the fault to fire', () => (existsSync(join(rig.env.dir, `fault-${label}`, `${point}.fired`)) ? true : undefined));
      await ContainerTestEnv.until('the container to be exited', () => (new RegExp(`Exited.*${label}-`).test(rig.ok(['ps', '-a'])) ? true : undefined));
      const found = garbageCount();
      if (point === 'hook-poststop-before-del') assert.ok(found >= 3, `the crash left the attachment, hosts record and port reserver (${found})`);
      else assert.ok(found >= 2, `the crash left the hosts record and port reserver (${found})`);
      recover(t, label, id, before, found, point === 'hook-poststop-after-del');
    });
  }

  it('runc, its monitor and the container killed mid-run (runc killed)', async (t) => {
    const before = rig.snapshot([peerId]);
    const id = createVictim('runckill');
    rig.ok(['start', `runckill-${rig.tag}`]);
    const pids = rig.killContainer(id);
    assert.ok(pids.length >= 2, `killed ${pids.join(', ')}`);
    await ContainerTestEnv.until('the container to be exited', () => (/Exited.*runckill-/.test(rig.ok(['ps', '-a'])) ? true : undefined));
    const found = garbageCount();
    assert.ok(found >= 3, `nobody cleaned up: attachment, hosts record, port reserver (${found})`);
    recover(t, 'runckill', id, before, found);
  });

  it('machine died: every process gone, runc state and /run wiped (simulated)', async (t) => {
    const before = rig.snapshot([peerId]);
    const id = createVictim('reboot');
    rig.ok(['start', `reboot-${rig.tag}`]);
    const pidFile = join(rig.runDir, 'default', id, 'port-reserver.pid');
    const reserver = Number(readFileSync(pidFile, 'utf8'));
    rig.killContainer(id);
    // The reserver is the `sleep infinity` the hook started for this container (checked before the kill).
    assert.match(readFileSync(`/proc/${reserver}/cmdline`, 'utf8'), /^(\/usr)?\/bin\/sleep\0infinity\0$/);
    process.kill(reserver, 'SIGKILL');
    // /run is a tmpfs: after a reboot runc's state dir is gone (the run dir's pid file too, but
    // this run dir lives in the test's temp dir, so it stays, naming a dead PID).
    rmSync(join(rig.env.runcRoot, id), { recursive: true, force: true });
    await ContainerTestEnv.until('the container to be exited', () => (/Exited.*reboot-/.test(rig.ok(['ps', '-a'])) ? true : undefined));
    const found = garbageCount();
    assert.ok(found >= 3, `attachment, hosts record, port reserver pid file (${found})`);
    recover(t, 'reboot', id, before, found, true);
  });
});
