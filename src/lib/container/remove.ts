// rm (spec 3.5): refuse a running container unless forced; then the runc container, the rootfs
// mount, the network (provider), the name and the state dir go, in that order.
import { rm } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import { NameStore } from '../etc/name-store.js';
import type { ContainerEnv } from './env.js';
import { providerContext, recordsOf, runcFor } from './env.js';
import { lockedRecord } from './locked.js';
import { providerByName } from './network-provider.js';
import { observe } from './status.js';
import { waitExited } from './stop.js';
import type { ContainerRecord } from './types.js';

export async function removeContainer(env: ContainerEnv, ref: ContainerRecord, opts: { force?: boolean } = {}): Promise<void> {
  const records = recordsOf(env);
  await lockedRecord(records, ref.id, async (rec) => {
    const paths = records.paths(rec.id);
    const runc = runcFor(rec);
    if ((await observe(rec, paths, runc)).running) {
      if (!opts.force) {
        throw new NerdnetError('ERR_IN_USE', `container ${rec.name} (${rec.id.slice(0, 12)}) is running: stop it first (\`nerdnet stop ${rec.name}\`) or remove it with \`nerdnet rm -f ${rec.name}\``);
      }
      await runc.kill(rec.id, 'SIGKILL', { all: true });
      await waitExited(env, rec, 10_000);
    }
    // Normally gone already (the shim deletes it); deleting fires the poststop hook if it is not.
    await runc.delete(rec.id, { force: true });
    if (rec.rootfs.kind === 'image' && env.images) await env.images.removeRootfs(paths.stateDir);
    const provider = providerByName(env.providers, rec.provider);
    await provider.release(rec, providerContext(env, rec, paths.stateDir));
    await new NameStore({ layout: env.layout }).release(env.ns, rec.name, rec.id);
    await rm(paths.stateDir, { recursive: true, force: true });
  });
}
