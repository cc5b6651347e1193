// Who uses a network, with container names: attachments from the libcni cache (CNI container IDs
// are `<ns>-<id>`), named from the hosts store's meta.json of this namespace; given the CNI runtime,
// it also DELs an attachment a stop left behind (`network rm -f`).
import type { CniConfig } from '../cni/api.js';
import { cachedRuntimeConf } from '../cni/cache.js';
import { confListFromBytes } from '../cni/conf.js';
import { HostsStore } from '../etc/hosts-store.js';
import { sweepIptables } from '../gc/iptables-sweep.js';
import { cniLockPath } from '../hook/detach.js';
import { NerdnetError } from '../errors.js';
import { CniCacheUsage, type NetworkAttachmentInfo, type NetworkUsage, type PendingAttachment } from '../network/usage.js';
import { withLock } from '../store/flock.js';
import type { DataStoreLayout } from '../store/layout.js';

export interface ContainerNetworkUsageOptions {
  cacheDir?: string | undefined;
  // For detach: the CNI runtime (its cache must be `cacheDir`) and the conf dir whose CNI lock the hooks take.
  cni?: CniConfig;
  netconfPath?: string;
}

export class ContainerNetworkUsage implements NetworkUsage {
  private readonly cache: CniCacheUsage;

  constructor(
    private readonly layout: DataStoreLayout,
    private readonly namespace: string,
    private readonly opts: ContainerNetworkUsageOptions = {},
  ) {
    this.cache = new CniCacheUsage(opts.cacheDir);
  }

  async attachments(network: string): Promise<NetworkAttachmentInfo[]> {
    return this.named(await this.cache.attachments(network));
  }

  async pending(network: string): Promise<PendingAttachment[]> {
    return this.named(await this.cache.pending(network));
  }

  // DEL with the config, CNI_ARGS and capability args of the ADD, under the hooks' CNI lock; then
  // what a DEL without a netns leaves in iptables.
  async detach(a: PendingAttachment): Promise<string[]> {
    const { cni, netconfPath } = this.opts;
    if (!cni || netconfPath === undefined) throw new NerdnetError('ERR_INTERNAL', 'detaching needs the CNI runtime and conf dir');
    const list = confListFromBytes(a.entry.config, `cached config of ${a.entry.containerID} ${a.entry.ifName}`);
    await withLock(cniLockPath(netconfPath), () => cni.delNetworkList(list, cachedRuntimeConf(a.entry)));
    return (await sweepIptables(a.entry.containerID, [a.entry.network])).warnings;
  }

  private async named<T extends NetworkAttachmentInfo>(found: T[]): Promise<T[]> {
    if (found.length === 0) return found;
    const prefix = `${this.namespace}-`;
    const metas = await new HostsStore({ layout: this.layout }).list(this.namespace).catch(() => []);
    const names = new Map(metas.map((m) => [m.ID, m.Name]));
    return found.map((a) => {
      const id = a.containerID.startsWith(prefix) ? a.containerID.slice(prefix.length) : undefined;
      const name = id === undefined ? undefined : names.get(id);
      return name ? { ...a, containerID: id ?? a.containerID, name } : a;
    });
  }
}
