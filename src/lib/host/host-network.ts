// The host's addresses, routes and links, behind an interface so tests can fake the host
// (design.md §2: seams for fakes are interfaces passed in options).
import { NerdnetError } from '../errors.js';
import { removeBridgeRules } from './iptables.js';
import { ipJson, runIp } from './ip-command.js';

/** One address on a host interface, e.g. {ifname: "eth0", address: "192.0.2.2", prefix: 24}. */
export interface HostAddress {
  ifname: string;
  address: string;
  prefix: number;
}

/** One route from any routing table; `dst` is "default", a CIDR or a bare address (a host route). */
export interface HostRoute {
  dst: string;
  dev?: string;
  type?: string;
  table?: string;
}

export interface HostNetwork {
  // Every address on every interface, up or down.
  addresses(): Promise<HostAddress[]>;
  // Every IPv4 and IPv6 route of every table.
  routes(): Promise<HostRoute[]>;
  // The link's kind ("bridge", "dummy", ...), "" for a kind-less (physical) link, undefined when absent.
  linkKind(name: string): Promise<string | undefined>;
  deleteLink(name: string): Promise<void>;
  // Remove firewall rules that name a bridge that is gone (the firewall plugin leaves them).
  forgetBridge(name: string): Promise<string[]>;
}

interface IpAddrJson {
  ifname?: string;
  addr_info?: Array<{ local?: string; prefixlen?: number }>;
}

interface IpLinkJson {
  linkinfo?: { info_kind?: string };
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

// A link name goes on a command line: keep it to what the kernel accepts (IFNAMSIZ, no / or space).
export function assertLinkName(name: string): void {
  if (name === '' || Buffer.byteLength(name) > 15 || /[/\s:]/.test(name) || name === '.' || name === '..') {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid link name "${name}": use 1-15 characters without "/", ":" or spaces`);
  }
}

/** HostNetwork over iproute2 (`ip -json`). */
export class IpHostNetwork implements HostNetwork {
  async addresses(): Promise<HostAddress[]> {
    const out: HostAddress[] = [];
    for (const link of asArray(await ipJson(['addr', 'show'])) as IpAddrJson[]) {
      for (const a of link.addr_info ?? []) {
        if (typeof a.local === 'string' && typeof a.prefixlen === 'number') {
          out.push({ ifname: link.ifname ?? '', address: a.local, prefix: a.prefixlen });
        }
      }
    }
    return out;
  }

  async routes(): Promise<HostRoute[]> {
    const out: HostRoute[] = [];
    for (const family of ['-4', '-6']) {
      for (const r of asArray(await ipJson([family, 'route', 'show', 'table', 'all'])) as HostRoute[]) {
        if (typeof r.dst === 'string') out.push({ dst: r.dst, ...(r.dev ? { dev: r.dev } : {}), ...(r.type ? { type: r.type } : {}), ...(r.table ? { table: r.table } : {}) });
      }
    }
    return out;
  }

  async linkKind(name: string): Promise<string | undefined> {
    assertLinkName(name);
    const r = await runIp(['-json', '-details', 'link', 'show', 'dev', name]);
    if (r.code !== 0) {
      if (/does not exist|Cannot find device/i.test(r.stderr)) return undefined;
      throw new NerdnetError('ERR_HOST', `"ip link show dev ${name}" failed: ${r.stderr.trim()}`);
    }
    const links = asArray(JSON.parse(r.stdout || '[]')) as IpLinkJson[];
    if (links.length === 0) return undefined;
    return links[0]?.linkinfo?.info_kind ?? '';
  }

  async deleteLink(name: string): Promise<void> {
    assertLinkName(name);
    const r = await runIp(['link', 'delete', 'dev', name]);
    if (r.code !== 0 && !/does not exist|Cannot find device/i.test(r.stderr)) {
      throw new NerdnetError('ERR_HOST', `failed to delete link ${name}: ${r.stderr.trim()}`);
    }
  }

  async forgetBridge(name: string): Promise<string[]> {
    assertLinkName(name);
    return (await removeBridgeRules(name)).warnings;
  }
}
