// What the garbage collector works with: its environment, and the plan (typed items, one human line
// each) that `--dry-run` prints and release() carries out.
import type { CniConfig } from '../cni/api.js';
import type { CachedAttachment } from '../cni/cache.js';
import type { NetworkConfigList } from '../cni/conf.js';
import type { Attachment } from '../cni/request.js';
import type { RuntimeDrivers } from '../container/env.js';
import type { Logger } from '../etc/types.js';
import type { DataStoreLayout } from '../store/layout.js';

export interface GcEnv {
  layout: DataStoreLayout;
  // The namespace swept, unless allNamespaces: every namespace found in the store, run dir and cache.
  namespace: string;
  allNamespaces?: boolean;
  // CNI conf dir: the networks whose leases, bridges and plugins are examined.
  netconfPath: string;
  cni: CniConfig;
  // Where port reservers keep their pid files (nerdctl: /run/nerdctl).
  runDir: string;
  // runc state roots of containers that have no nerdnet record (nerdctl/containerd: /run/containerd/runc).
  foreignRuncRoots?: readonly string[];
  iptables?: string;
  log: Logger;
  // What runs the containers whose liveness is asked; default: as each record says.
  runtimes?: RuntimeDrivers;
}

// A container named by its namespace and 64-hex ID; `cid` is its CNI container ID `<ns>-<id>`.
export interface Owner {
  ns: string;
  id: string;
  cid: string;
}

interface Base {
  // What a user reads, e.g. `lease 10.200.3.4 on net-a of default-1f2e…`.
  line: string;
}

export type GarbageItem =
  // CNI GC of one network; `valid`: the attachments in use when planned (release asks again).
  | (Base & { kind: 'cni-gc'; network: string; list: NetworkConfigList; valid: Attachment[] })
  // A libcni cache entry of a dead container: DEL with the cached config, then iptables leftovers.
  | (Base & { kind: 'attachment'; owner: Owner; entry: CachedAttachment })
  // A host-local lease naming a dead container (no cache entry left to DEL with).
  | (Base & { kind: 'lease'; owner: Owner; network: string; file: string })
  // iptables rules naming a dead container, and the CNI-* chains only it used.
  | (Base & { kind: 'iptables'; owner: Owner; networks: string[] })
  // A host veth on a nerdnet bridge whose peer never left the host (no peer namespace).
  | (Base & { kind: 'veth'; name: string; bridge: string })
  // The port reserver (pid file, and the process if it is one) of a dead container.
  | (Base & { kind: 'port-reserver'; owner: Owner; pidFile: string })
  // meta.json of a dead container: its name and address leave the peers' hosts files.
  | (Base & { kind: 'hosts-entry'; owner: Owner })
  // etchosts/<ns>/<id> of a container that no longer exists.
  | (Base & { kind: 'hosts-dir'; owner: Owner })
  // names/<ns>/<name> pointing at a container that no longer exists.
  | (Base & { kind: 'name'; owner: Owner; name: string })
  // containers/<ns>/<id> left by a create that was killed before it wrote nerdnet.json.
  | (Base & { kind: 'state-dir'; owner: Owner; dir: string })
  // nerdnet/removing/<ns>/<id>: a state dir an rm renamed away and was killed before deleting.
  | (Base & { kind: 'removed-state'; owner: Owner; dir: string })
  // A create journal (or its temp file) of a create whose process is gone, once its state dir is.
  | (Base & { kind: 'create-journal'; owner: Owner; file: string });

export type GarbageKind = GarbageItem['kind'];

// The order release() follows: network first (while the cache still knows the config), files last.
export const RELEASE_ORDER: readonly GarbageKind[] = ['cni-gc', 'attachment', 'lease', 'iptables', 'veth', 'port-reserver', 'hosts-entry', 'hosts-dir', 'name', 'state-dir', 'removed-state', 'create-journal'];

export interface GcPlan {
  items: GarbageItem[];
  // Things looked at and kept on purpose, and why (shown with --debug).
  notes: string[];
  // What could not be examined (an iptables table, the link list, a broken conflist): always shown.
  warnings: string[];
}

export interface ReleasedItem {
  item: GarbageItem;
  outcome: 'released' | 'kept' | 'failed';
  // Why it was kept (in use by now) or how it failed.
  detail?: string;
}

export interface GcReport {
  results: ReleasedItem[];
  released: number;
  failed: number;
}
