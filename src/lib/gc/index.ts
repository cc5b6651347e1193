// Garbage collection of network state (`nerdnet system prune`, `nerdnet network gc`): find what
// belongs to no live container, then release it. Rules: docs/reliability.md.
export { findGarbage, shortCid } from './plan.js';
export { releaseGarbage } from './release.js';
export { storeNamespaces } from './scan-store.js';
export { Liveness, ownerOfCniID, ownerOf, CONTAINERD_RUNC_ROOT } from './liveness.js';
export { dnatChainName, sweepIptables } from '../host/iptables.js';
export { RELEASE_ORDER, type GarbageItem, type GarbageKind, type GcEnv, type GcPlan, type GcReport, type Owner, type ReleasedItem } from './types.js';
