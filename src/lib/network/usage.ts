// Who uses a network: live CNI attachments in the libcni result cache, and the ones still owed a DEL
// (their netns is gone); container/network-usage.ts adds names and the DEL.
import { existsSync } from 'node:fs';
import { ResultCache, DEFAULT_CACHE_DIR, type CachedAttachment } from '../cni/cache.js';
import { containerEndpoint } from '../cni/endpoint.js';

/** One container interface attached to a network. */
export interface NetworkAttachmentInfo {
  containerID: string;
  ifName: string;
  name?: string;
  mac?: string;
  // CIDR form, e.g. "10.4.0.5/24".
  ipv4?: string;
  ipv6?: string;
}

/** An attachment whose container is gone without its CNI DEL (a stop that never finished). */
export interface PendingAttachment extends NetworkAttachmentInfo {
  entry: CachedAttachment;
}

export interface NetworkUsage {
  // Live attachments: the container's network namespace exists.
  attachments(network: string): Promise<NetworkAttachmentInfo[]>;
  // Attachments still owed a DEL; a network holding one is not removed (its DEL needs the network).
  pending?(network: string): Promise<PendingAttachment[]>;
  // DEL one pending attachment with its cached config (`network rm -f`); returns warnings.
  detach?(a: PendingAttachment): Promise<string[]>;
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
    return (await this.entries(network, true)).map(endpointOf);
  }

  async pending(network: string): Promise<PendingAttachment[]> {
    return (await this.entries(network, false)).map((entry) => ({ ...endpointOf(entry), entry }));
  }

  private async entries(network: string, live: boolean): Promise<CachedAttachment[]> {
    const all = await this.cache.attachments();
    return all.filter((a) => a.network === network && (a.netns === undefined || existsSync(a.netns)) === live);
  }
}
