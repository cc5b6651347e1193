// Load: 30 containers started at once on one network, each `run -d` its own CLI process (all 30
// spawned together), then removed at once. Every container gets its own address, every hosts file
// lists all 30 peers while they run, `network inspect` shows all of them, and nothing is left after.
// Uses the built bundle (dist/nerdnet.js, `npm run build`): 30 tsx start-ups would only measure tsx.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';
import { busyboxImageArchive } from './helpers/busybox-image.js';
import { cniChains, rootSkipReason, rulesMentioning, testSubnet, uniqueTag, removeNetworkLeftovers, type ChainSnapshot } from './helpers/host.js';
import { leaksOf } from './helpers/leaks.js';

const BUNDLE = fileURLToPath(new URL('../dist/nerdnet.js', import.meta.url));
const COUNT = 30;
const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']) ?? (existsSync(BUNDLE) ? undefined : 'needs the bundle: npm run build');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe(`${COUNT} containers in parallel on one network`, { skip, timeout: 900_000 }, () => {
  const tag = uniqueTag();
  const net = `nnt-${tag}-par`;
  let env: ContainerTestEnv;
  let chains: ChainSnapshot;
  let bridge = '';
  let subnetPrefix = '';
  const ids: string[] = [];
  const names = Array.from({ length: COUNT }, (_, i) => `p${i}-${tag}`);

  // One CLI process of the bundle, with the harness's temp dirs (never the host's).
  const cli = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [BUNDLE, '--data-root', env.dataRoot, '--cni-netconfpath', join(env.dir, 'net.d'), '--cni-path', '/usr/lib/cni', ...args], {
        env: { ...process.env, NERDNET_RUNC_ROOT: env.runcRoot, NERDNET_CNI_CACHE_DIR: join(env.dir, 'cni'), NERDNET_RUN_DIR: join(env.dir, 'run') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const ok = async (args: string[]): Promise<string> => {
    const r = await cli(args);
    assert.equal(r.code, 0, `nerdnet ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const failures = (runs: Run[], what: string): string[] => runs.flatMap((r, i) => (r.code === 0 ? [] : [`${what} #${i} exited ${r.code}: ${r.stderr.trim()}`]));
  const audit = () =>
    leaksOf({ cniIDs: ids.map((i) => `default-${i}`), ids, networks: [net], cacheDir: join(env.dir, 'cni'), store: env.store() }, bridge ? [bridge] : []);

  before(async () => {
    chains = cniChains();
    env = await ContainerTestEnv.create('parallel');
    await ok(['image', 'load', '-i', await busyboxImageArchive()]);
    const { subnet, prefix } = testSubnet();
    subnetPrefix = prefix;
    const id = (await ok(['network', 'create', net, '--subnet', subnet])).trim();
    bridge = `br-${id.slice(0, 12)}`;
  });

  after(async () => {
    // Whatever a failed test left: remove it, then fail if the audit of the run itself found leaks.
    await Promise.all(ids.map((id) => cli(['rm', '-f', id])));
    await cli(['network', 'rm', net]);
    const leftRules = rulesMentioning(bridge);
    await env.cleanup();
    removeNetworkLeftovers([{ name: net, bridge }], chains);
    assert.deepEqual(leftRules, []);
  });

  it(`${COUNT} parallel run -d: distinct addresses, complete hosts files, inspect lists all; parallel rm -f leaves nothing`, async (t) => {
    const t0 = Date.now();
    const started = await Promise.all(names.map((name) => cli(['run', '-d', '--name', name, '--network', net, 'busybox', 'sleep', '600'])));
    for (const r of started) if (r.code === 0) ids.push(r.stdout.trim());
    // A figure for docs/reliability.md, never asserted.
    t.diagnostic(`${COUNT} parallel run -d took ${Date.now() - t0} ms`);
    assert.deepEqual(failures(started, 'run'), []);
    assert.equal(new Set(ids).size, COUNT);

    // Addresses as the containers report them (inspect), one per container, all distinct.
    const inspected = JSON.parse(await ok(['inspect', ...ids])) as Array<{ Id: string; Name: string; NetworkSettings: { IPAddress: string } }>;
    const ipOf = new Map(inspected.map((c) => [c.Id, c.NetworkSettings.IPAddress]));
    const ips = ids.map((id) => ipOf.get(id) ?? '');
    for (const ip of ips) assert.ok(ip.startsWith(`${subnetPrefix}.`), `address ${ip} in ${subnetPrefix}.0/24`);
    assert.equal(new Set(ips).size, COUNT, `distinct addresses: ${ips.join(' ')}`);

    // Every hosts file (the file bind-mounted at /etc/hosts) lists every peer by name at its address.
    for (const [i, id] of ids.entries()) {
      const hosts = readFileSync(join(env.store(), 'etchosts', 'default', id, 'hosts'), 'utf8');
      const missing = names.filter((name, j) => !new RegExp(`^${(ips[j] ?? '').replace(/\./g, '\\.')}\\s.*\\b${name}\\b`, 'm').test(hosts));
      assert.deepEqual(missing, [], `hosts file of ${names[i]}`);
    }
    // And from inside, for a few: what the container itself reads.
    for (const i of [0, COUNT - 1]) {
      const inside = await ok(['exec', ids[i] ?? '', 'cat', '/etc/hosts']);
      assert.equal(names.filter((name) => !inside.includes(name)).length, 0, `/etc/hosts inside ${names[i]}:\n${inside}`);
    }

    const shown = JSON.parse(await ok(['network', 'inspect', net])) as Array<{ Containers: Record<string, { Name: string; IPv4Address: string }> }>;
    const endpoints = shown[0]?.Containers ?? {};
    assert.deepEqual(Object.keys(endpoints).sort(), [...ids].sort());
    assert.deepEqual(Object.values(endpoints).map((e) => e.Name).sort(), [...names].sort());
    assert.deepEqual(new Set(Object.values(endpoints).map((e) => e.IPv4Address.replace(/\/\d+$/, ''))), new Set(ips));

    const t1 = Date.now();
    const removed = await Promise.all(ids.map((id) => cli(['rm', '-f', id])));
    t.diagnostic(`${COUNT} parallel rm -f took ${Date.now() - t1} ms`);
    assert.deepEqual(failures(removed, 'rm -f'), []);
    assert.deepEqual(audit(), []);
    assert.deepEqual(env.entries('containers/default'), []);
    assert.deepEqual(env.entries('names/default'), []);
    assert.deepEqual(env.runcIds(), []);
    const after = JSON.parse(await ok(['network', 'inspect', net])) as Array<{ Containers: Record<string, unknown> }>;
    assert.deepEqual(after[0]?.Containers, {});
  });
});
