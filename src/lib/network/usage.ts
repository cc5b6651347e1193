// Who uses a network. Containers do not exist in nerdnet yet, so "in use" means a live CNI
// attachment in the libcni result cache; later work can pass a NetworkUsage that knows names.
import { existsSync } from 'node:fs';
import { ResultCache, DEFAULT_CACHE_DIR, type CachedAttachment } from '../cni/cache.js';
import { containerEndpoint } from '../cni/endpoint.js';

/** One container interface attached to a network. */
export interface NetworkAttachmentInfo {
  containerID: string;
  ifName: string;
  name?: string;
  mac?: string;
  // CIDR form, e.g. "10.4.0.5/24" (spec 2.10).
  ipv4?: string;
  ipv6?: string;
}

export interface NetworkUsage {
  attachments(network: string): Promise<NetworkAttachmentInfo[]>;
}

// Addresses and MAC of the attachment's own interface, from a 0.3.x-1.x cached result.
function endpointOf(a: CachedAttachment): NetworkAttachmentInfo {
  const ep = containerEndpoint(a.result, a.ifName);
  const info: NetworkAttachmentInfo = { containerID: a.containerID, ifName: a.ifName };
  if (ep.mac) info.mac = ep.mac;
  if (ep.ipv4) info.ipv4 = ep.ipv4.address;
  if (ep.ipv6) info.ipv6 = ep.ipv6.address;
  return info;
}

/** Live attachments from the libcni cache: an entry whose netns path is gone is stale, not in use. */
export class CniCacheUsage implements NetworkUsage {
  private readonly cache: ResultCache;

  constructor(cacheDir: string = DEFAULT_CACHE_DIR) {
    this.cache = new ResultCache(cacheDir);
  }

  async attachments(network: string): Promise<NetworkAttachmentInfo[]> {
    const all = await this.cache.attachments();
    return all.filter((a) => a.network === network && (a.netns === undefined || existsSync(a.netns))).map(endpointOf);
  }
}
