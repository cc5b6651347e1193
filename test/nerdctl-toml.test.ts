// nerdctl.toml as a nerdctl user writes it: NERDCTL_TOML names the file; flag > env > toml > default;
// unknown keys warned about, a malformed file refused naming its line; the hook's command line
// carries the values that came from the env or the file (nerdctl >= 2.2.1).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerTestEnv, NONE, containerSkipReason } from './container-harness.js';

describe('nerdctl.toml', { skip: containerSkipReason() }, () => {
  let env: ContainerTestEnv;
  let toml: string;

  before(async () => {
    env = await ContainerTestEnv.create('toml');
    toml = join(env.dir, 'nerdctl.toml');
  });

  after(async () => {
    const { leftRunc } = await env.cleanup();
    assert.deepEqual(leftRunc, []);
  });

  const write = (text: string) => writeFileSync(toml, text);
  const withToml = (args: string[], extra: NodeJS.ProcessEnv = {}) => env.cli(args, { env: { NERDCTL_TOML: toml, ...extra } });
  const hookArgs = (ns: string, id: string): string[] => {
    const spec = JSON.parse(readFileSync(join(env.store(), 'containers', ns, id, 'bundle', 'config.json'), 'utf8')) as { hooks: { createRuntime: Array<{ args: string[] }> } };
    const args = spec.hooks.createRuntime[0]?.args ?? [];
    return args.slice(args.findIndex((a) => a.startsWith('--')), args.indexOf('internal'));
  };

  it('namespace: the flag wins over CONTAINERD_NAMESPACE, which wins over the file; the hook gets it', () => {
    write('namespace = "tomlns"\n');
    const fromToml = withToml(['create', ...NONE, '--rootfs', env.rootfs, 'true']);
    assert.equal(fromToml.status, 0, fromToml.stderr);
    const id = fromToml.stdout.trim();
    assert.deepEqual(env.entries('containers/tomlns'), [id]);
    assert.ok(hookArgs('tomlns', id).includes('--namespace=tomlns'), 'a value from nerdctl.toml is on the hook command line');
    const fromEnv = withToml(['create', ...NONE, '--rootfs', env.rootfs, 'true'], { CONTAINERD_NAMESPACE: 'envns' });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    assert.deepEqual(env.entries('containers/envns'), [fromEnv.stdout.trim()]);
    const fromFlag = withToml(['-n', 'flagns', 'create', ...NONE, '--rootfs', env.rootfs, 'true'], { CONTAINERD_NAMESPACE: 'envns' });
    assert.equal(fromFlag.status, 0, fromFlag.stderr);
    assert.deepEqual(env.entries('containers/flagns'), [fromFlag.stdout.trim()]);
    assert.match(withToml(['ps', '-a', '--format', '{{.ID}}']).stdout, new RegExp(`^${id.slice(0, 12)}$`, 'm'));
    for (const ns of ['tomlns', 'envns', 'flagns']) assert.equal(env.cli(['-n', ns, 'rm', '-f', ...env.entries(`containers/${ns}`)]).status, 0);
  });

  it('dns, dns_search, dns_opts reach resolv.conf when the run gives none; --dns still wins', () => {
    write('dns = ["10.200.0.53"]\ndns_search = ["toml.test"]\ndns_opts = ["ndots:3"]\n');
    const r = withToml(['run', '--rm', ...NONE, '--rootfs', env.rootfs, 'cat', '/etc/resolv.conf']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^nameserver 10\.200\.0\.53$/m);
    assert.match(r.stdout, /^search toml\.test$/m);
    assert.match(r.stdout, /^options ndots:3$/m);
    const o = withToml(['run', '--rm', ...NONE, '--dns', '10.200.0.54', '--rootfs', env.rootfs, 'cat', '/etc/resolv.conf']);
    assert.match(o.stdout, /^nameserver 10\.200\.0\.54$/m);
    assert.doesNotMatch(o.stdout, /10\.200\.0\.53/);
    assert.match(o.stdout, /^search toml\.test$/m);
  });

  it('host_gateway_ip: --add-host x:host-gateway writes it; NERDCTL_HOST_GATEWAY_IP and --host-gateway-ip win in that order', () => {
    write('host_gateway_ip = "192.168.5.2"\n');
    const hosts = (args: string[], extra: NodeJS.ProcessEnv = {}) => withToml([...args, 'run', '--rm', ...NONE, '--add-host', 'gw:host-gateway', '--rootfs', env.rootfs, 'grep', 'gw', '/etc/hosts'], extra).stdout;
    assert.match(hosts([]), /^192\.168\.5\.2\s+gw$/m);
    assert.match(hosts([], { NERDCTL_HOST_GATEWAY_IP: '192.168.5.3' }), /^192\.168\.5\.3\s+gw$/m);
    assert.match(hosts(['--host-gateway-ip', '192.168.5.4'], { NERDCTL_HOST_GATEWAY_IP: '192.168.5.3' }), /^192\.168\.5\.4\s+gw$/m);
    const bad = withToml(['--host-gateway-ip', 'nope', 'run', '--rm', ...NONE, '--add-host', 'gw:host-gateway', '--rootfs', env.rootfs, 'true']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /invalid host-gateway IP "nope"/);
  });

  it('an unknown key is a warning naming it and its line; the command still works', () => {
    write('namespace = "default"\nnamespcae = "typo"\n');
    const r = withToml(['ps']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /unknown key "namespcae" in .*nerdctl\.toml:2/);
  });

  it('a malformed file or a wrong type: exit 1, the file and line named, nothing made', () => {
    write('namespace = "default"\ndebug = "yes"\n');
    const r = withToml(['create', ...NONE, '--rootfs', env.rootfs, 'true']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /invalid nerdctl config .*nerdctl\.toml:2: debug must be true or false, got "yes"/);
    write('[broken\n');
    const m = withToml(['ps']);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /invalid nerdctl config .*nerdctl\.toml:1: /);
    assert.deepEqual(env.entries('containers/default'), []);
  });
});
