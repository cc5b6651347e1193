// A container whose stop never detached it (postStop killed before its DEL, or its conflist
// corrupt) against `network rm` (runc + hook + Debian plugins): the network is not removed under it
// unless -f detaches it first, and a conflist that is gone or unreadable is no reason to leak: the
// DEL runs with the config libcni cached at ADD. Each time nothing of the container is left: lease,
// cache file, CNI-FORWARD rules, its CNI-DN-* and CNI-* chains, and with the network its lease dir.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';
import { CrashRig, type RigNetwork } from './helpers/crash.js';
import { rootSkipReason, rulesMentioning } from './helpers/host.js';
import { dnatChainName } from '../src/lib/host/iptables.js';
import { masqChainName } from '../src/lib/host/iptables.js';

const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']);

describe('network rm and a stop that left the attachment', { skip, timeout: 900_000 }, () => {
  let rig: CrashRig;
  let port = 35000 + Math.floor(Math.random() * 2000);

  before(async () => {
    rig = await CrashRig.create('rmpend');
  });

  after(async () => {
    const leaks = await rig.cleanup();
    assert.deepEqual(leaks, []);
  });

  const leaseDir = (n: RigNetwork) => join('/var/lib/cni/networks', n.name);
  const addressOf = (n: RigNetwork): string => readdirSync(leaseDir(n)).find((f) => f.startsWith(n.prefix)) ?? '';
  const conflist = (n: RigNetwork) => join(rig.conf, 'default', `nerdctl-${n.name}.conflist`);

  // busybox httpd publishing a port; `env` carries a fault into its hook.
  const web = (label: string, n: RigNetwork, env: NodeJS.ProcessEnv = {}): { id: string; name: string; ip: string } => {
    const name = `${label}-${rig.tag}`;
    const r = rig.runD(['--name', name, '--network', n.name, '-p', `127.0.0.1:${port++}:80`, 'busybox', 'sh', '-c', 'echo ok > /i; exec httpd -f -p 80 -h /'], env);
    assert.ok(r.id, r.stderr);
    return { id: r.id, name, ip: addressOf(n) };
  };

  // The postStop hook dies before its DEL: the lease, cache, rules and chains stay.
  const stopLeavingAttachment = async (label: string, n: RigNetwork) => {
    const faults = join(rig.env.dir, `fault-${label}`);
    const c = web(label, n, { NERDNET_FAULT: 'hook-poststop-before-del', NERDNET_FAULT_ONCE: faults });
    rig.nn(['stop', '-t', '1', c.name]);
    await ContainerTestEnv.until('the fault to fire', () => (existsSync(join(faults, 'hook-poststop-before-del.fired')) ? true : undefined));
    await ContainerTestEnv.until('the container to be exited', () => (new RegExp(`Exited.*${c.name}`).test(rig.ok(['ps', '-a'])) ? true : undefined));
    const dry = rig.ok(['network', 'gc', '--dry-run']);
    assert.match(dry, new RegExp(`^attachment default-${c.id.slice(0, 12)} eth0 on ${n.name} `, 'm'), dry);
    assert.ok(rulesMentioning(`${c.ip}/32`).some((r) => r.includes('CNI-FORWARD')), 'the firewall plugin\'s rules are there to leak');
    return c;
  };

  // No network state of the container on the host: the leak audit, its per-container chains, the
  // firewall plugin's CNI-FORWARD rules (they name the address, not the container).
  const assertNothingLeft = (c: { id: string; ip: string }, n: RigNetwork) => {
    const cid = `default-${c.id}`;
    assert.deepEqual(rig.leaks([c.id]).filter((l) => !/^(state|name) /.test(l)), [], 'network state');
    const chains = [masqChainName(n.name, cid), dnatChainName(n.name, cid)];
    assert.deepEqual(rig.snapshot().filter((l) => chains.some((ch) => l.endsWith(` ${ch}`)) || (l.startsWith('cache ') && l.includes(cid))), []);
    assert.deepEqual(rulesMentioning(`${c.ip}/32`), []);
    // (Its port reserver is not network state: rm leaves it when postStop died, gc releases it.)
    assert.doesNotMatch(rig.ok(['network', 'gc', '--dry-run']), new RegExp(`^(attachment|lease|iptables).*default-${c.id.slice(0, 12)}`, 'm'));
  };

  it('rm refuses, naming the container; with the conflist then removed by hand, rm -f of the container still DELs it', async () => {
    const n = rig.network('byhand');
    const c = await stopLeavingAttachment('w', n);
    const refused = rig.nn(['network', 'rm', n.name]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`network "${n.name}" still holds an attachment of stopped container "${c.name}" \\(eth0\\)`));
    assert.ok(existsSync(conflist(n)), 'the network stays');
    // As nerdctl's network rm (which has no such check) or an older nerdnet would have done.
    rmSync(conflist(n));
    const removed = rig.nn(['rm', '-f', c.name]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.doesNotMatch(removed.stderr, /cannot be run/);
    assertNothingLeft(c, n);
    assert.deepEqual(rig.leaks([c.id]), []);
  });

  it('rm -f detaches the stopped container with the cached config, then removes the network and its lease dir', async () => {
    const n = rig.network('force');
    const c = await stopLeavingAttachment('f', n);
    const r = rig.nn(['network', 'rm', '-f', n.name]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${n.name}\n`);
    assert.ok(!existsSync(conflist(n)));
    assert.ok(!existsSync(leaseDir(n)), 'host-local\'s lease dir went with the network');
    assertNothingLeft(c, n);
    const gone = rig.nn(['rm', '-f', c.name]);
    assert.equal(gone.status, 0, gone.stderr);
    assert.doesNotMatch(gone.stderr, /WARN/);
    assert.deepEqual(rig.leaks([c.id]), []);
  });

  it('a corrupt conflist: stop still DELs its container, and other networks keep working', async () => {
    const n = rig.network('corrupt');
    const other = rig.network('other');
    const c = web('cor', n);
    writeFileSync(conflist(n), '{');
    const ls = rig.nn(['network', 'ls']);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stderr, new RegExp(`WARN skipped network config file ${conflist(n)}`));
    assert.match(ls.stdout, new RegExp(other.name));
    // A container on another network starts and goes.
    const o = web('oth', other);
    rig.ok(['rm', '-f', o.name]);
    assert.deepEqual(rig.leaks([o.id]), []);
    rig.ok(['stop', '-t', '1', c.name]);
    const removed = rig.nn(['rm', c.name]);
    assert.equal(removed.status, 0, removed.stderr);
    assertNothingLeft(c, n);
    assert.deepEqual(rig.leaks([c.id]), []);
  });
});
