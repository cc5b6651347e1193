// rm: refuse a running container unless forced; then the runtime's container (runc's, or
// containerd's task and container), the rootfs mount, the network (provider), the name and the state
// dir go, in that order. The state dir is renamed out of containers/ before it is deleted, so a
// killed rm leaves either a whole record (rm again) or a dir in nerdnet/removing (gc deletes it).
// Stand-ins go the same way: a half-made create (once its process is gone) and an unreadable record.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { HostsStore } from '../etc/hosts-store.js';
import { NameStore } from '../etc/name-store.js';
import { faultPoint } from '../fault.js';
import { CreateJournals } from './create-journal.js';
import type { ContainerEnv } from './env.js';
import { checkSameBackend, newRuntime, providerContext, recordsOf, runtimeContainer, runtimeFor } from './env.js';
import { lockedRecord } from './locked.js';
import { providerByName } from './network-provider.js';
import { observe } from './status.js';
import { stillRunningError, waitExited } from './stop.js';
import type { ContainerRecord } from './types.js';

export async function removeContainer(env: ContainerEnv, ref: ContainerRecord, opts: { force?: boolean } = {}): Promise<void> {
  const records = recordsOf(env);
  await lockedRecord(
    records,
    ref.id,
    async (rec) => {
      const paths = records.paths(rec.id);
      const standIn = rec.standIn;
      if (standIn?.creating) {
        throw new NerdnetError('ERR_IN_USE', `container ${rec.name || rec.id.slice(0, 12)} is ${standIn.reason}; wait for that create to finish or fail`);
      }
      checkSameBackend(env, rec);
      // An unreadable record does not say which runtime: the one this command would use.
      const runtime = standIn?.kind === 'corrupt' ? await newRuntime(env) : await runtimeFor(rec, env.runtimes);
      const rc = runtimeContainer(rec, paths);
      if ((await observe(rec, paths, runtime)).running) {
        if (!opts.force) {
          throw new NerdnetError('ERR_IN_USE', `container ${rec.name} (${rec.id.slice(0, 12)}) is running`, { remedy: { kind: 'stop-or-force-remove', container: rec.name } });
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
      // An unreadable record does not say whether an image was mounted: a rootfs/ dir does.
      const imageRootfs = rec.rootfs.kind === 'image' || (standIn?.kind === 'corrupt' && existsSync(join(paths.stateDir, 'rootfs')));
      if (imageRootfs && env.images) await env.images.removeRootfs(paths.stateDir);
      faultPoint('rm-rootfs');
      // Whatever the cache remembers of an unreadable record's networks is DELed by gc once its state dir is gone.
      if (standIn?.kind === 'corrupt') await new HostsStore({ layout: env.layout, logger: env.logger }).delete(env.ns, rec.id);
      else await providerByName(env.providers, rec.provider).release(rec, providerContext(env, rec, paths.stateDir));
      faultPoint('rm-network');
      if (rec.name) await new NameStore({ layout: env.layout }).release(env.ns, rec.name, rec.id);
      faultPoint('rm-name');
      await removeStateDir(env, rec.id, paths.stateDir);
      await new CreateJournals(env.layout, env.ns).end(rec.id);
    },
    { standIns: true },
  );
}

async function removeStateDir(env: ContainerEnv, id: string, stateDir: string): Promise<void> {
  const away = env.layout.removingDir(env.ns, id);
  await mkdir(env.layout.removingRoot(env.ns), { recursive: true, mode: 0o700 });
  await rm(away, { recursive: true, force: true });
  try {
    await rename(stateDir, away);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return;
  }
  faultPoint('rm-state-dir');
  await rm(away, { recursive: true, force: true });
}
