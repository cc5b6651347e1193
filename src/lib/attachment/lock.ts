// nerdctl serialises every hook's CNI work host-wide on this lock (PR #3522); it is held only around
// plugin calls. The garbage collector takes it too, so a sweep never races an ADD or a DEL.
import { join } from 'node:path';

export function cniLockPath(netconfPath: string): string {
  return join(netconfPath, '.cni-concurrency.lock');
}
