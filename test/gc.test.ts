// `nerdnet network gc` / `system prune` on real containers (runc + hook + Debian plugins): a
// container killed with nobody to clean up leaves a lease, a cache entry, iptables rules, its hosts
// record and its port reserver; gc lists them (--dry-run changes nothing), releases them, finds
// nothing the second time, and never touches a live container on the same network.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerTestEnv, containerSkipReason, processAlive } from './container-harness.js';
import { CrashRig, type RigNetwork } from './helpers/crash.js';
import { rootSkipReason, rulesMentioning } from './helpers/host.js';

const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']);

describe('network gc and system prune', { skip, timeout: 600_000 }, () => {
  let rig: CrashRig;
  let net: RigNetwork;
  const spawned: number[] = [];

  before(async () => {
    rig = await CrashRig.create('gc');
    net = rig.network('a');
  });

  after(async () => {
    for (const pid of spawned) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    const leaks = await rig.cleanup();
    assert.deepEqual(leaks, []);
  });

  it('lists a killed container\'s leftovers, releases them, and leaves a live peer alone', async () => {
    const port = 32000 + Math.floor(Math.random() * 2000);
    const live = rig.runD(['--name', `live-${rig.tag}`, '--network', net.name, '-p', `127.0.0.1:${port}:80`, 'busybox', 'sleep', '7200']);
    const dead = rig.runD(['--name', `dead-${rig.tag}`, '--network', net.name, '-p', `127.0.0.1:${port + 1}:80`, 'busybox', 'sleep', '7200']);
    assert.ok(live.id && dead.id, `${live.stderr}${dead.stderr}`);
    const liveBefore = { rules: rulesMentioning(`default-${live.id}`), lease: rig.snapshot().filter((l) => l.startsWith('lease')) };
    rig.killContainer(dead.id);
    await ContainerTestEnv.until('the killed container to be seen as exited', () => (/Exited/.test(rig.ok(['ps', '-a'])) ? true : undefined));

    const snap = rig.snapshot();
    const dry = rig.ok(['network', 'gc', '--dry-run']);
    assert.deepEqual(rig.snapshot(), snap, 'a dry run changes nothing');
    const short = `default-${dead.id.slice(0, 12)}`;
    assert.match(dry, new RegExp(`^attachment ${short} eth0 on ${net.name} \\(${net.prefix.replace(/\./g, '\\.')}\\.\\d+/24\\): CNI DEL`, 'm'));
    assert.match(dry, new RegExp(`^port reserver of ${short}`, 'm'));
    assert.match(dry, new RegExp(`^hosts record \\(meta\\.json\\) of stopped ${short}`, 'm'));
    assert.doesNotMatch(dry, new RegExp(live.id.slice(0, 12)), 'the live container is not listed');
    const total = Number(/^Total: (\d+) item/m.exec(dry)?.[1]);
    assert.equal(total, 3, dry);

    const real = rig.ok(['network', 'gc']);
    assert.match(real, /^Released network state:$/m);
    assert.match(real, /^Total: 3 item\(s\) released$/m, real);
    // (veths: the live peer's is on the same bridge; the dead one's went with its namespace.)
    assert.deepEqual(rig.leaks([dead.id]).filter((l) => !/^(state|name|veth) /.test(l)), [], 'network state of the dead container is gone');
    assert.deepEqual(rulesMentioning(`default-${dead.id}`), []);
    assert.equal(existsSync(join(rig.runDir, 'default', dead.id)), false, 'its port reserver is gone');

    // The live one keeps its lease, rules, hosts record and reserver, and still works.
    assert.deepEqual(rulesMentioning(`default-${live.id}`), liveBefore.rules);
    assert.ok(rig.snapshot().filter((l) => l.startsWith('lease')).every((l) => liveBefore.lease.includes(l)));
    assert.ok(existsSync(join(rig.env.store(), 'etchosts/default', live.id, 'meta.json')));
    assert.ok(existsSync(join(rig.runDir, 'default', live.id, 'port-reserver.pid')));
    assert.doesNotMatch(readFileSync(join(rig.env.store(), 'etchosts/default', live.id, 'hosts'), 'utf8'), new RegExp(`dead-${rig.tag}`), 'the dead name left the peer\'s hosts file');

    const again = rig.ok(['network', 'gc', '--dry-run']);
    assert.match(again, /^Total: 0 item\(s\) would be released/m, 'idempotent: a second run finds nothing');

    // The same container starts again and reaches its peer by name.
    rig.ok(['start', `dead-${rig.tag}`]);
    rig.ok(['exec', `dead-${rig.tag}`, 'ping', '-c1', '-W2', `live-${rig.tag}`]);
  });

  it('removed containers\' names and hosts entries, a killed create\'s state dir and a stray reserver go; a foreign cache entry and a non-reserver PID stay', async () => {
    const created = rig.ok(['create', '--name', `gone-${rig.tag}`, '--network', net.name, '--rootfs', rig.env.rootfs, 'true']).trim();
    rig.ids.push(created);
    const store = rig.env.store();
    // The record vanished as if the state dir was wiped (a half-done rm): the name and hosts entry are orphans.
    rmSync(join(store, 'containers/default', created), { recursive: true, force: true });
    // A create killed after writing its bundle but before nerdnet.json.
    const stray = 'f'.repeat(64);
    rig.ids.push(stray);
    mkdirSync(join(store, 'containers/default', stray, 'bundle'), { recursive: true });
    // A reserver (sleep infinity, as the hook starts it) of a container that no longer exists, and a pid
    // file naming a process that is not a reserver.
    const reserver = spawn('sleep', ['infinity'], { detached: true, stdio: 'ignore' });
    const bystander = spawn('sleep', ['599'], { detached: true, stdio: 'ignore' });
    spawned.push(reserver.pid ?? 0, bystander.pid ?? 0);
    const fakeA = 'a'.repeat(64);
    const fakeB = 'b'.repeat(64);
    for (const [id, pid] of [[fakeA, reserver.pid], [fakeB, bystander.pid]] as const) {
      mkdirSync(join(rig.runDir, 'default', id), { recursive: true });
      writeFileSync(join(rig.runDir, 'default', id, 'port-reserver.pid'), String(pid));
    }
    // A cache entry whose ID is not nerdctl-shaped belongs to some other runtime.
    const foreign = join(rig.cacheDir, 'results', `${net.name}-other-runtime-sandbox-eth0`);
    mkdirSync(join(rig.cacheDir, 'results'), { recursive: true });
    writeFileSync(foreign, JSON.stringify({ kind: 'cniCacheV1', containerId: 'other-runtime-sandbox', config: '', ifName: 'eth0', networkName: net.name }));

    const dry = rig.ok(['network', 'gc', '--dry-run']);
    assert.match(dry, new RegExp(`^hosts store entry etchosts/default/${created.slice(0, 12)} of a removed container$`, 'm'));
    assert.match(dry, new RegExp(`^name gone-${rig.tag} \\(namespace default\\)`, 'm'));
    assert.match(dry, new RegExp(`^state dir containers/default/${stray.slice(0, 12)} of a create that never finished$`, 'm'));
    assert.match(dry, new RegExp(`^port reserver of default-${fakeA.slice(0, 12)} \\(pid ${reserver.pid}`, 'm'));
    assert.doesNotMatch(dry, /other-runtime/);
    rig.ok(['network', 'gc']);
    assert.equal(rig.env.entries('names/default').includes(`gone-${rig.tag}`), false);
    assert.equal(existsSync(join(store, 'etchosts/default', created)), false);
    assert.equal(existsSync(join(store, 'containers/default', stray)), false);
    await ContainerTestEnv.until('the stray reserver to be killed', () => (processAlive(reserver.pid ?? 0) ? undefined : true));
    assert.ok(processAlive(bystander.pid ?? 0), 'a PID that is not a reserver is never killed');
    assert.equal(existsSync(join(rig.runDir, 'default', fakeB)), false, 'its stale pid file goes');
    assert.ok(existsSync(foreign), 'a foreign cache entry stays');
    rmSync(foreign);
    assert.match(rig.ok(['network', 'gc', '--dry-run']), /^Total: 0 item/m);
    assert.deepEqual(readdirSync(join(rig.runDir, 'default')).filter((d) => d === fakeA || d === fakeB), []);
  });

  it('system prune removes stopped containers (with -f), then sweeps; --dry-run only lists', () => {
    // Attached: it has exited (and its poststop ran) when run returns.
    rig.ok(['run', '--name', `stopped-${rig.tag}`, '--network', net.name, 'busybox', 'true']);
    const stopped = { id: rig.idOf(`stopped-${rig.tag}`) };
    const before = rig.snapshot();
    const dry = rig.ok(['system', 'prune', '--dry-run']);
    assert.match(dry, new RegExp(`^Would remove containers:\\n(?:[0-9a-f]{64}\\n)*${stopped.id}$`, 'm'));
    assert.deepEqual(rig.snapshot(), before);
    const declined = rig.nn(['system', 'prune'], {});
    assert.equal(declined.status, 0);
    assert.ok(rig.env.entries('containers/default').includes(stopped.id), 'no answer means no');
    const out = rig.ok(['system', 'prune', '-f']);
    assert.match(out, new RegExp(`^Deleted Containers:\\n(?:[0-9a-f]{64}\\n)*${stopped.id}$`, 'm'));
    assert.equal(rig.env.entries('containers/default').includes(stopped.id), false);
    assert.ok(rig.env.entries('containers/default').includes(rig.idOf(`live-${rig.tag}`)), 'running containers stay');
  });
});
