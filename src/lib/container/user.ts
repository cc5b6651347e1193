// The container's user, as `--user` gives it; both runtimes read it (its own module keeps the
// containerd driver from importing create).
import { NerdnetError } from '../errors.js';
import type { User } from '../oci/types.js';

// uid[:gid], numeric ("root" = 0): nerdnet does not read the image's /etc/passwd.
export function parseUser(value: string): User {
  if (value === '' || value === 'root') return { uid: 0, gid: 0 };
  const m = /^(\d+)(?::(\d+))?$/.exec(value);
  if (!m) throw new NerdnetError('ERR_INVALID_ARG', `invalid --user ${JSON.stringify(value)}: give a numeric uid or uid:gid, e.g. --user 1000:1000`);
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}
