// Who uses a network, with container names: live attachments from the libcni cache (CNI container
// IDs are `<ns>-<id>`), named from the hosts store's meta.json of this namespace.
import { HostsStore } from '../etc/hosts-store.js';
import { CniCacheUsage, type NetworkAttachmentInfo, type NetworkUsage } from '../network/usage.js';
import type { DataStoreLayout } from '../store/layout.js';

export class ContainerNetworkUsage implements NetworkUsage {
  private readonly cache: CniCacheUsage;

  constructor(
    private readonly layout: DataStoreLayout,
    private readonly namespace: string,
    cacheDir?: string,
  ) {
    this.cache = new CniCacheUsage(cacheDir);
  }

  async attachments(network: string): Promise<NetworkAttachmentInfo[]> {
    const found = await this.cache.attachments(network);
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
