// `rm -f` returns only when the container's network is released, however long its poststop hook
// waits for the host-wide CNI lock. runc removes its own state before it runs the poststop hook, so
// a container looks gone while the hook is still queued; with 30 containers removed at once the
// queue outlasted rm's 10 s wait, rm went on, and the bridge plugin's masquerade rules (which a DEL
// without a netns never removes) were left behind. Here the test itself holds the CNI lock longer
// than that wait.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cniLockPath } from '../src/lib/attachment/lock.js';
import { masqChainName } from '../src/lib/host/iptables.js';
import { withLock } from '../src/lib/store/flock.js';
import { ContainerTestEnv, ENTRY, containerSkipReason } from './container-harness.js';
import { busyboxImageArchive } from './helpers/busybox-image.js';
import { cniChains, rootSkipReason, rulesMentioning, testSubnet, uniqueTag, removeNetworkLeftovers, type ChainSnapshot } from './helpers/host.js';
import { leaksOf } from './helpers/leaks.js';

const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']);
// Well beyond rm's wait for the process to go (10 s) plus the CLI's start on a loaded machine, so
// an rm that gave up waiting is seen returning while the lock is still held.
const HOLD_MS = 20_000;

describe('rm -f while the network teardown waits for the CNI lock', { skip, timeout: 300_000 }, () => {
  const tag = uniqueTag();
  const net = `nnt-${tag}-td`;
  let env: ContainerTestEnv;
  let chains: ChainSnapshot;
  let bridge = '';
  const ids: string[] = [];
  const conf = () => join(env.dir, 'net.d');
  const cacheDir = () => join(env.dir, 'cni');
  const globals = () => ['--cni-netconfpath', conf(), '--cni-path', '/usr/lib/cni'];
  const ok = (args: string[]) => env.ok([...globals(), ...args]);

  before(async () => {
    chains = cniChains();
    env = await ContainerTestEnv.create('teardown');
    ok(['image', 'load', '-i', await busyboxImageArchive()]);
    const id = ok(['network', 'create', net, '--subnet', testSubnet().subnet]).trim();
    bridge = `br-${id.slice(0, 12)}`;
  });

  after(async () => {
    for (const id of ids) env.cli([...globals(), 'rm', '-f', id]);
    env.cli([...globals(), 'network', 'rm', net]);
    const left = rulesMentioning(bridge);
    await env.cleanup();
    removeNetworkLeftovers([{ name: net, bridge }], chains);
    assert.deepEqual(left, []);
  });

  it('waits for the poststop hook, then leaves no rule, lease, cache entry or state dir', async () => {
    const id = ok(['run', '-d', '--network', net, 'busybox', 'sleep', '600']).trim();
    ids.push(id);
    const masq = masqChainName(net, `default-${id}`);
    assert.ok(rulesMentioning(masq).length > 0, `the bridge plugin made ${masq}`);

    let rmDone: Promise<{ code: number; stderr: string }> | undefined;
    let runningAfterHold = false;
    await withLock(cniLockPath(conf()), async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--data-root', env.dataRoot, ...globals(), 'rm', '-f', id], {
        env: { ...process.env, NERDNET_RUNC_ROOT: env.runcRoot, NERDNET_CNI_CACHE_DIR: cacheDir(), NERDNET_RUN_DIR: join(env.dir, 'run') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      rmDone = new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stderr })));
      await Promise.race([rmDone, sleep(HOLD_MS)]);
      runningAfterHold = child.exitCode === null;
    });
    assert.ok(rmDone);
    const rm = await rmDone;
    assert.ok(runningAfterHold, `rm -f returned while the poststop hook was still waiting for the CNI lock (exit ${rm.code}: ${rm.stderr})`);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(rulesMentioning(masq), []);
    assert.deepEqual(leaksOf({ cniIDs: [`default-${id}`], ids: [id], networks: [net], cacheDir: cacheDir(), store: env.store() }), []);
    assert.ok(!existsSync(join(env.store(), 'containers', 'default', id)), 'the state dir is gone and the late hook did not make it again');
    ids.length = 0;
  });
});
