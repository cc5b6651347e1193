// Who uses a network, with container names: attachments from the libcni cache (CNI container IDs
// are `<ns>-<id>`), named from the hosts store's meta.json of this namespace; given the CNI runtime,
// it also DELs an attachment a stop left behind (`network rm -f`).
import type { CniConfig } from '../cni/api.js';
import { detachCached } from '../attachment/detach.js';
import { HostsStore } from '../etc/hosts-store.js';
import { NerdnetError } from '../errors.js';
import { CniCacheUsage, type NetworkAttachmentInfo, type NetworkUsage, type PendingAttachment } from '../network/usage.js';
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

  // The attachment service's detach of one cached attachment.
  async detach(a: PendingAttachment): Promise<string[]> {
    const { cni, netconfPath } = this.opts;
    if (!cni || netconfPath === undefined) throw new NerdnetError('ERR_INTERNAL', 'detaching needs the CNI runtime and conf dir');
    return detachCached({ cni, netconfPath, log: () => {} }, a.entry);
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
