// End to end on the containerd backend, as a user on a containerd host runs it: a private Debian
// containerd (own root, state and socket in a temp dir), busybox loaded into its image store with
// `nerdnet image load`, `nerdnet --backend containerd run` making containerd containers and runc-v2
// tasks whose runc calls nerdnet's OCI hook. The runc backend's network scenarios (peers by name,
// published ports, stop/start, rm without leaks), plus what only containerd has: nerdctl's labels on
// the container object, and a container made by `ctr` with nerdnet's hook in its spec networked too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerTestEnv, containerSkipReason, type CliResult } from './container-harness.js';
import { TestContainerd, containerdSkipReason } from './containerd-harness.js';
import { busyboxImageArchive } from './helpers/busybox-image.js';
import { cniChains, rootSkipReason, rulesMentioning, uniqueTag, removeNetworkLeftovers, type ChainSnapshot } from './helpers/host.js';
import { cliKit } from './helpers/cli-kit.js';
import { leaksOf } from './helpers/leaks.js';

const BUNDLE = fileURLToPath(new URL('../dist/nerdnet.js', import.meta.url));
const skip = containerSkipReason() ?? containerdSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']);

interface Inspected {
  NetworkSettings: { IPAddress: string };
  State: { Status: string; ExitCode: number };
}

describe('containers on CNI networks through containerd (--backend containerd)', { skip, timeout: 600_000 }, () => {
  const tag = uniqueTag();
  let env: ContainerTestEnv;
  let ctrd: TestContainerd;
  let chains: ChainSnapshot;
  let conf: string;
  let cacheDir: string;

  // The built bundle, as users run it: its OCI hook starts fast, which matters on a busy host.
  const cli = (args: string[]): CliResult => {
    const r = spawnSync(process.execPath, [BUNDLE, '--data-root', env.dataRoot, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NETCONFPATH: conf, NERDNET_CNI_CACHE_DIR: cacheDir, NERDNET_RUN_DIR: join(env.dir, 'run') },
      input: '',
      timeout: 180_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const nn = (args: string[]) => cli(['--backend', 'containerd', '--address', ctrd.address, '--cni-netconfpath', conf, '--cni-path', '/usr/lib/cni', ...args]);
  const { ids, networks, ok, runD, network } = cliKit(nn, `nnc-${tag}`);
  const inspect = (ref: string) => (JSON.parse(ok(['inspect', ref])) as Inspected[])[0] as Inspected;
  const audit = (only?: string[], all = false) =>
    leaksOf({ cniIDs: (only ?? ids).map((i) => `default-${i}`), ids: only ?? ids, networks: networks.map((n) => n.name), cacheDir, store: env.store() }, all ? networks.map((n) => n.bridge) : []);
  const tasks = () => ctrd.ctr(['task', 'ls', '-q']).stdout.split('\n').filter(Boolean);
  const containers = () => ctrd.ctr(['container', 'ls', '-q']).stdout.split('\n').filter(Boolean);

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`);
    chains = cniChains();
    env = await ContainerTestEnv.create('ctrd-e2e');
    conf = join(env.dir, 'net.d');
    cacheDir = join(env.dir, 'cni');
    ctrd = await TestContainerd.start('e2e', { cniConfDir: conf, cniBinDir: '/usr/lib/cni' });
    env.address = ctrd.address;
    ok(['image', 'load', '-i', await busyboxImageArchive()]);
  });

  after(async () => {
    for (const id of ids) nn(['rm', '-f', id]);
    const leaks = audit(undefined, true);
    for (const n of networks) nn(['network', 'rm', n.name]);
    leaks.push(...networks.flatMap((n) => rulesMentioning(n.bridge)));
    await ctrd?.stop();
    await env?.cleanup();
    removeNetworkLeftovers(networks, chains);
    assert.deepEqual(leaks, []);
  });

  it('peers reach each other by name; the container object carries nerdctl\'s labels; exec and logs work', () => {
    const a = network('a');
    const id = runD(['--name', `web-${tag}`, '--network', a.name, 'busybox', 'sh', '-c', 'echo hello-by-name > /index.html; echo web-up; exec httpd -f -p 80 -h /']);
    const out = ok(['run', '--rm', '--network', a.name, 'busybox', 'sh', '-c', `ping -c1 -W2 web-${tag} >/dev/null && echo PING-OK; wget -qO- http://web-${tag}/index.html`]);
    assert.match(out, /PING-OK/);
    assert.match(out, /hello-by-name/);
    const ip = inspect(`web-${tag}`).NetworkSettings.IPAddress;
    assert.ok(ip.startsWith(`${a.prefix}.`), ip);
    assert.match(ok(['exec', `web-${tag}`, 'ip', '-o', '-4', 'addr', 'show', 'eth0']), new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
    assert.match(ok(['logs', `web-${tag}`]), /web-up/);
    assert.match(ok(['ps']), new RegExp(`${id.slice(0, 12)}.*Up.*web-${tag}`));
    // What nerdctl reads: a containerd container with the runc v2 runtime and nerdctl/* labels.
    const shown = ctrd.ctr(['container', 'info', id]);
    assert.equal(shown.status, 0, shown.stderr);
    const info = JSON.parse(shown.stdout) as { Labels: Record<string, string>; Runtime: { Name: string }; Image: string; SnapshotKey: string };
    assert.equal(info.Runtime.Name, 'io.containerd.runc.v2');
    assert.equal(info.Image, 'docker.io/library/busybox:latest');
    assert.equal(info.SnapshotKey, id);
    assert.equal(info.Labels['nerdctl/name'], `web-${tag}`);
    assert.equal(info.Labels['nerdctl/networks'], JSON.stringify([a.name]));
    assert.equal(info.Labels['nerdctl/state-dir'], join(env.store(), 'containers', 'default', id));
    assert.ok(tasks().includes(id));
  });

  it('a published port answers on the host loopback', async () => {
    const n = network('ports');
    const port = 33000 + Math.floor(Math.random() * 2000);
    runD(['--network', n.name, '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', 'echo port-ok > /i; exec httpd -f -p 80 -h /']);
    const fetch = () => execFileSync('busybox', ['wget', '-qO-', `http://127.0.0.1:${port}/i`], { encoding: 'utf8' });
    const body = await ContainerTestEnv.until('httpd behind the published port', () => {
      try {
        return fetch();
      } catch {
        return undefined;
      }
    });
    assert.equal(body.trim(), 'port-ok');
  });

  it('stop deletes the task (network released, exit code kept); start networks it again; rm leaves nothing', () => {
    const n = network('restart');
    const id = runD(['--name', `srv-${tag}`, '--network', n.name, '-p', '127.0.0.1::80', 'busybox', 'sleep', '300']);
    ok(['stop', '-t', '1', `srv-${tag}`]);
    const stopped = inspect(`srv-${tag}`);
    assert.equal(stopped.State.Status, 'exited');
    assert.equal(stopped.State.ExitCode, 137);
    assert.ok(!tasks().includes(id), 'the task is deleted, as nerdctl stop does');
    assert.deepEqual(leaksOf({ cniIDs: [`default-${id}`], ids: [], networks: [n.name], cacheDir, store: env.store() }), []);
    ok(['start', `srv-${tag}`]);
    assert.match(ok(['run', '--rm', '--network', n.name, 'busybox', 'sh', '-c', `ping -c1 -W2 srv-${tag} >/dev/null && echo BACK`]), /BACK/);
    assert.notDeepEqual(audit([id]), [], 'the audit sees a live container');
    ok(['rm', '-f', id]);
    assert.deepEqual(audit([id]), []);
    assert.ok(!containers().includes(id), 'the containerd container is gone');
    assert.doesNotMatch(ctrd.ctr(['snapshot', 'ls']).stdout, new RegExp(id), 'its snapshot is gone');
  });

  it('an attached run returns the exit code and removes its task with --rm', () => {
    const r = nn(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    assert.equal(r.status, 7);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err$/m);
    assert.deepEqual(containers().filter((c) => !ids.includes(c)), []);
  });

  it('a container made by ctr with nerdnet\'s hook in its spec is networked and seen by peers', async () => {
    const n = network('ctr');
    const peer = runD(['--name', `peer-${tag}`, '--network', n.name, 'busybox', 'sleep', '300']);
    // nerdnet's hook entries exactly as nerdnet writes them into a spec.
    const peerSpec = JSON.parse(readFileSync(join(env.store(), 'containers', 'default', peer, 'bundle', 'config.json'), 'utf8')) as { hooks: unknown };
    const id = `ctr-${tag}`;
    const stateDir = join(env.store(), 'containers', 'default', id);
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const spec = JSON.parse(ctrd.ctr(['oci', 'spec']).stdout) as Record<string, unknown> & { process: { args: string[]; env: string[] }; root: { path: string } };
    spec.process.args = ['sleep', '300'];
    spec.process.env = ['PATH=/bin'];
    spec.root = { path: env.rootfs };
    spec.hostname = id;
    spec.hooks = peerSpec.hooks;
    spec.annotations = {
      'nerdctl/namespace': 'default',
      'nerdctl/name': id,
      'nerdctl/hostname': id,
      'nerdctl/networks': JSON.stringify([n.name]),
      'nerdctl/state-dir': stateDir,
      'nerdctl/extraHosts': '[]',
    };
    const specFile = join(env.dir, 'ctr-spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const started = ctrd.ctr(['run', '-d', '--null-io', '--config', specFile, id]);
    assert.equal(started.status, 0, started.stderr);
    try {
      // The peer's hosts file lists it once the hook has attached it.
      const hosts = await ContainerTestEnv.until('the ctr container in the peer\'s hosts file', () => {
        const text = ok(['exec', `peer-${tag}`, 'cat', '/etc/hosts']);
        return text.includes(id) ? text : undefined;
      });
      const ip = new RegExp(`^(${n.prefix.replace(/\./g, '\\.')}\\.\\d+)\\s+${id}`, 'm').exec(hosts)?.[1];
      assert.ok(ip, `an address of ${n.name} for ${id} in:\n${hosts}`);
      assert.match(ok(['exec', `peer-${tag}`, 'sh', '-c', `ping -c1 -W2 ${id} >/dev/null && echo CTR-OK`]), /CTR-OK/);
    } finally {
      ctrd.ctr(['task', 'kill', '-s', 'SIGKILL', id]);
      await ContainerTestEnv.until('the ctr task to stop', () => (/STOPPED/.test(ctrd.ctr(['task', 'ls']).stdout.split('\n').find((l) => l.startsWith(id)) ?? 'STOPPED') ? true : undefined));
      ctrd.ctr(['task', 'delete', id]);
      ctrd.ctr(['container', 'delete', id]);
    }
    // Deleting the task ran the postStop hook: the address and the peer's entry are gone.
    assert.deepEqual(leaksOf({ cniIDs: [`default-${id}`], ids: [], networks: [n.name], cacheDir, store: env.store() }), []);
    assert.doesNotMatch(ok(['exec', `peer-${tag}`, 'cat', '/etc/hosts']), new RegExp(id));
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('is clear when containerd is not reachable, and when -d and --rm are combined; nothing is left', () => {
    // The unreachable --address below gets a data store of its own (per address, as nerdctl's).
    const containersDir = join(env.store(), 'containers', 'default');
    const before = readdirSync(containersDir).length;
    const missing = join(env.dir, 'no-such.sock');
    const r = cli(['--backend', 'containerd', '--address', missing, 'run', '-d', '--network', 'none', 'busybox', 'true']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`containerd is not reachable at ${missing.replace(/[.]/g, '\\.')}: no such socket; start containerd or pass --address`));
    const both = nn(['run', '-d', '--rm', '--network', 'none', 'busybox', 'true']);
    assert.equal(both.status, 1);
    assert.match(both.stderr, /-d and --rm cannot be used together with the containerd backend/);
    const bad = nn(['--backend', 'docker', 'ps']);
    assert.match(bad.stderr, /invalid --backend "docker"/);
    assert.equal(readdirSync(containersDir).length, before);
  });
});
