// Run a state change of one container under its lock, on the record as it is once the lock is held
// (another process may have started or removed the container meanwhile).
import { rm, rmdir } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import type { ContainerRecords } from './records.js';
import type { ContainerRecord } from './types.js';

// standIns: also hand over a stand-in (an unreadable record, a half-made create), for rm.
export async function lockedRecord<T>(records: ContainerRecords, id: string, fn: (rec: ContainerRecord) => Promise<T>, opts: { standIns?: boolean } = {}): Promise<T> {
  const paths = records.paths(id);
  let gone = false;
  try {
    return await records.withLock(id, async () => {
      const rec = opts.standIns ? await records.entry(id) : await records.read(id);
      if (!rec) {
        gone = true;
        throw new NerdnetError('ERR_NOT_FOUND', `no such container: ${id} (it was removed meanwhile)`);
      }
      return fn(rec);
    });
  } finally {
    // Taking the lock recreated an empty state dir for a container removed meanwhile: tidy it.
    if (gone) {
      await rm(paths.lock, { force: true });
      await rmdir(paths.stateDir).catch(() => undefined);
    }
  }
}
