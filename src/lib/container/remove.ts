// rm (spec 3.5): refuse a running container unless forced; then the runtime's container (runc's, or
// containerd's task and container), the rootfs mount, the network (provider), the name and the state
// dir go, in that order.
import { rm } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import { NameStore } from '../etc/name-store.js';
import { faultPoint } from '../fault.js';
import type { ContainerEnv } from './env.js';
import { checkSameBackend, providerContext, recordsOf, runtimeContainer, runtimeFor } from './env.js';
import { lockedRecord } from './locked.js';
import { providerByName } from './network-provider.js';
import { observe } from './status.js';
import { stillRunningError, waitExited } from './stop.js';
import type { ContainerRecord } from './types.js';

export async function removeContainer(env: ContainerEnv, ref: ContainerRecord, opts: { force?: boolean } = {}): Promise<void> {
  const records = recordsOf(env);
  await lockedRecord(records, ref.id, async (rec) => {
    const paths = records.paths(rec.id);
    checkSameBackend(env, rec);
    const runtime = await runtimeFor(rec);
    const rc = runtimeContainer(rec, paths);
    if ((await observe(rec, paths, runtime)).running) {
      if (!opts.force) {
        throw new NerdnetError('ERR_IN_USE', `container ${rec.name} (${rec.id.slice(0, 12)}) is running: stop it first (\`nerdnet stop ${rec.name}\`) or remove it with \`nerdnet rm -f ${rec.name}\``);
      }
      await runtime.kill(rc, 'SIGKILL', { all: true });
      // Until its poststop hook is done: removing the state under it would leave rules behind.
      const last = await waitExited(env, rec, 10_000, runtime);
      if (last.running) throw stillRunningError(rec, runtime, rc, last);
      faultPoint('rm-kill');
    }
    // Fires the poststop hook if the runtime has not done so yet.
    await runtime.delete(rc);
    faultPoint('rm-runtime');
    if (rec.rootfs.kind === 'image' && env.images) await env.images.removeRootfs(paths.stateDir);
    faultPoint('rm-rootfs');
    const provider = providerByName(env.providers, rec.provider);
    await provider.release(rec, providerContext(env, rec, paths.stateDir));
    faultPoint('rm-network');
    await new NameStore({ layout: env.layout }).release(env.ns, rec.name, rec.id);
    faultPoint('rm-name');
    await rm(paths.stateDir, { recursive: true, force: true });
  });
}
