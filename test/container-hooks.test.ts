// The lifecycle around the OCI hook, through the library: the provider's createRuntime/poststop
// entries run with the OCI state on stdin; poststop fires when a detached container exits on its
// own (no further command); a create that fails after the provider prepared rolls everything back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerManager } from '../src/lib/container/manager.js';
import { HostNoneProvider } from '../src/lib/container/host-none-provider.js';
import type { ImageSource } from '../src/lib/container/image-source.js';
import type { NetworkProvider } from '../src/lib/container/network-provider.js';
import type { ContainerCreateRequest } from '../src/lib/container/types.js';
import { NameStore } from '../src/lib/etc/name-store.js';
import { openDataStore } from '../src/lib/store/layout.js';
import type { DataStoreLayout } from '../src/lib/store/layout.js';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';

function request(rootfs: string | undefined, command: string[], extra: Partial<ContainerCreateRequest> = {}): ContainerCreateRequest {
  return {
    ...(rootfs ? { rootfs } : {}),
    command,
    env: [],
    tty: false,
    interactive: false,
    readOnly: false,
    autoRemove: false,
    labels: {},
    mounts: [],
    network: { networks: ['none'], dns: [], dnsSearch: [], dnsOpt: [], addHost: [], publish: [] },
    ...extra,
  };
}

interface HookCall {
  event: string;
  state: { id: string; pid?: number; status: string; bundle: string; annotations?: Record<string, string> };
}

describe('container lifecycle around the OCI hooks (library)', { skip: containerSkipReason() }, () => {
  let env: ContainerTestEnv;
  let layout: DataStoreLayout;
  let hookLog: string;
  let mgr: ContainerManager;
  const released: string[] = [];

  before(async () => {
    env = await ContainerTestEnv.create('chook');
    layout = await openDataStore(env.dataRoot, join(env.dir, 'no-containerd.sock'));
    hookLog = join(env.dir, 'hooks.jsonl');
    const script = join(env.dir, 'hook.sh');
    // Stands in for `nerdnet internal oci-hook <event>`: records the event and the state on stdin.
    await writeFile(script, `#!/bin/sh\nprintf '{"event":"%s","state":%s}\\n' "$3" "$(cat)" >> '${hookLog}'\n`, { mode: 0o755 });
    const inner = new HostNoneProvider();
    const spy: NetworkProvider = {
      name: 'spy',
      handles: (r) => inner.handles(r),
      prepare: (r, ctx) => inner.prepare(r, ctx),
      release: async (c, ctx) => {
        released.push(c.id);
        await inner.release(c, ctx);
      },
    };
    mgr = new ContainerManager({
      layout,
      ns: 'default',
      providers: [spy],
      runc: { root: env.runcRoot },
      hook: { path: '/bin/sh', args: ['/bin/sh', script, 'internal', 'oci-hook'], env: ['PATH=/usr/bin:/bin'] },
      logger: () => {},
    });
  });

  after(async () => {
    const { leftRunc } = await env.cleanup();
    assert.deepEqual(leftRunc, []);
  });

  const calls = async (): Promise<HookCall[]> =>
    existsSync(hookLog) ? (await readFile(hookLog, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as HookCall) : [];

  it('runs createRuntime at start and poststop as soon as a detached container exits on its own', async () => {
    const gate = join(env.dir, 'go');
    const rec = await mgr.create(request(env.rootfs, ['sh', '-c', 'while [ ! -e /ctl/go ]; do sleep 0.1; done; exit 3'], { mounts: [{ source: env.dir, destination: '/ctl', readonly: false }] }));
    assert.deepEqual(await calls(), [], 'create runs no hook');
    await mgr.start(rec.id);
    const [created, ...more] = await calls();
    assert.equal(more.length, 0);
    assert.equal(created?.event, 'createRuntime');
    assert.equal(created?.state.id, rec.id);
    assert.ok((created?.state.pid ?? 0) > 0);
    const a = created?.state.annotations ?? {};
    assert.equal(a['nerdctl/state-dir'], layout.stateDir('default', rec.id));
    assert.equal(a['nerdctl/namespace'], 'default');
    assert.equal(a['nerdctl/name'], rec.name);
    assert.equal(a['nerdctl/networks'], '["none"]');
    assert.equal(a['nerdctl/extraHosts'], '[]');
    assert.ok(existsSync(join(created?.state.bundle ?? '', 'config.json')));
    await writeFile(gate, '');
    let post: HookCall | undefined;
    for (let i = 0; i < 200 && !post; i++) {
      post = (await calls()).find((c) => c.event === 'postStop');
      if (!post) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(post, 'poststop ran without any further command');
    assert.equal(post.state.id, rec.id);
    // runc fires poststop as the process ends; the shim records the exit just after.
    let view = await mgr.view(rec.id);
    for (let i = 0; i < 100 && view.state.status !== 'exited'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      view = await mgr.view(rec.id);
    }
    assert.equal(view.state.status, 'exited');
    assert.equal(view.state.exitCode, 3);
    await mgr.remove(rec.id);
    assert.deepEqual(released, [rec.id]);
  });

  it('a create failing after the network was prepared releases it, the name and the state dir', async () => {
    const failing: ImageSource = {
      resolve: async (ref) => ({ name: ref, id: `sha256:${'0'.repeat(64)}`, config: { env: [], cmd: ['sh'], entrypoint: [], workingDir: '', user: '' } }),
      mountRootfs: async () => {
        throw new Error('overlay mount refused (test)');
      },
      removeRootfs: async () => {},
    };
    const m = new ContainerManager({ ...mgr.env, images: failing });
    released.length = 0;
    await assert.rejects(m.create(request(undefined, [], { image: 'fake', name: 'rolled-back' })), /overlay mount refused/);
    assert.equal(released.length, 1, 'the provider released what it prepared');
    assert.equal(await new NameStore({ layout }).lookup('default', 'rolled-back'), undefined);
    assert.deepEqual(env.entries('containers/default'), []);
    assert.deepEqual(env.entries('etchosts/default'), []);
  });
});
