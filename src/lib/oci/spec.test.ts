import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildHookCommand, nerdnetHooks } from './hooks.js';
import { appendHooks, buildSpec, mergeEnv } from './spec.js';
import { DEFAULT_PATH } from './defaults.js';

describe('buildSpec', () => {
  const base = { args: ['sh'], rootPath: '/r', netns: { mode: 'new' as const } };

  it('has runc spec mounts, Docker caps with CAP_NET_RAW, PATH default and all five namespaces', () => {
    const s = buildSpec(base);
    assert.deepEqual(s.mounts.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
    assert.ok(s.process.capabilities.bounding.includes('CAP_NET_RAW'));
    assert.deepEqual(s.process.env, [`PATH=${DEFAULT_PATH}`]);
    assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['pid', 'ipc', 'uts', 'mount', 'network']);
    assert.equal(s.root.readonly, false);
    assert.equal(s.hooks, undefined);
  });

  it('host netns omits the network namespace; path joins one', () => {
    assert.ok(!buildSpec({ ...base, netns: { mode: 'host' } }).linux.namespaces.some((n) => n.type === 'network'));
    assert.deepEqual(buildSpec({ ...base, netns: { mode: 'path', path: '/proc/1/ns/net' } }).linux.namespaces.at(-1), { type: 'network', path: '/proc/1/ns/net' });
  });

  it('a caller mount replaces the default at the same destination', () => {
    const s = buildSpec({ ...base, mounts: [{ destination: '/dev/shm', type: 'bind', source: '/x', options: ['bind'] }] });
    assert.equal(s.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
    assert.equal(s.mounts.at(-1)?.source, '/x');
  });

  it('rejects an empty command, a relative cwd and NUL bytes, naming the value', () => {
    assert.throws(() => buildSpec({ ...base, args: [] }), /no command specified/);
    assert.throws(() => buildSpec({ ...base, cwd: 'tmp' }), /working directory "tmp".*absolute/);
    assert.throws(() => buildSpec({ ...base, args: ['a\0b'] }), /NUL/);
  });

  it('mergeEnv: later keys win in place; a bad entry is named', () => {
    assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['A=3', 'C=4']), ['A=3', 'B=2', 'C=4']);
    assert.throws(() => mergeEnv(['=x']), /invalid environment entry "=x"/);
  });
});

describe('nerdnet hooks (spec 6.1)', () => {
  it('createRuntime and poststop run `<self> [global flags] internal oci-hook <event>` with sbin on PATH', () => {
    const cmd = buildHookCommand({ path: '/usr/bin/node', args: ['/app/nerdnet.js'] }, ['--namespace=k8s.io'], { PATH: '/usr/bin', HOME: '/root' });
    const hooks = nerdnetHooks(cmd);
    assert.deepEqual(hooks.createRuntime?.[0]?.args, ['/usr/bin/node', '/app/nerdnet.js', '--namespace=k8s.io', 'internal', 'oci-hook', 'createRuntime']);
    assert.deepEqual(hooks.poststop?.[0]?.args?.at(-1), 'postStop');
    assert.equal(hooks.poststop?.[0]?.path, '/usr/bin/node');
    assert.deepEqual(cmd.env, ['PATH=/usr/bin', 'HOME=/root', 'PATH=/usr/bin:/usr/sbin:/sbin']);
  });

  it('gives the hook only the environment it needs (no NODE_OPTIONS, NODE_EXTRA_CA_CERTS)', () => {
    const cmd = buildHookCommand({ path: '/usr/bin/node', args: [] }, [], {
      PATH: '/bin', NODE_OPTIONS: '--require x', NODE_EXTRA_CA_CERTS: '/etc/ca.pem', NERDNET_RUNC_ROOT: '/r', CNI_PATH: '/c', SECRET_TOKEN: 's',
    });
    assert.deepEqual(cmd.env, ['PATH=/bin', 'NERDNET_RUNC_ROOT=/r', 'CNI_PATH=/c', 'PATH=/bin:/usr/sbin:/sbin']);
  });

  it('appendHooks keeps existing entries', () => {
    const h = appendHooks({ poststop: [{ path: '/a' }] }, { poststop: [{ path: '/b' }], createRuntime: [{ path: '/c' }] });
    assert.deepEqual(h.poststop?.map((x) => x.path), ['/a', '/b']);
    assert.deepEqual(h.createRuntime?.map((x) => x.path), ['/c']);
  });
});
