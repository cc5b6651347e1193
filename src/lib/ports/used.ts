// Which host ports are taken: sockets in /proc/net, portmap's DNAT
// rules, and the mappings other containers recorded in network-config.json. The last source closes the
// gap nerdctl has: two containers created back to back, before either has DNAT rules, got one port.
import { formatIP } from '../ip/index.js';
import type { IPFamily } from '../ip/index.js';
import { joinHostPort, scopeOfHostIP, scopeOfIP, scopesOverlap } from './hostip.js';
import type { HostScope } from './hostip.js';
import { natPortUses } from './nat.js';
import { parseProcNet, TCP_CLOSE_WAIT, TCP_TIME_WAIT } from './procnet.js';
import type { ProcNetFile } from './procnet.js';
import { hostPortSources } from './sources.js';
import type { PortSources } from './sources.js';
import { PROTOCOLS } from './types.js';
import type { PortMapping, PortUser, Protocol, UsedPortLookup } from './types.js';

/** Another container's published ports; `soft` for a stopped one (steers automatic ports only). */
export interface ContainerPortClaim {
  // How to name the holder in messages, e.g. "container web-1 (3f2a9c1b2d4e)".
  readonly owner: string;
  readonly mappings: readonly PortMapping[];
  readonly soft?: boolean;
}

/** One port holder; protocol undefined means every protocol. */
export interface PortUse {
  readonly protocol: string | undefined;
  readonly scope: HostScope;
  readonly port: number;
  readonly user: PortUser;
}

/** A snapshot of used ports that answers the allocator's lookups without more I/O. */
export class PortUsage implements UsedPortLookup {
  constructor(
    readonly uses: readonly PortUse[],
    // Sources that could not be read (e.g. iptables missing or not root); the caller decides how to show them.
    readonly warnings: readonly string[] = [],
  ) {}

  usedPorts(protocol: Protocol, hostIP: string): Map<number, PortUser> {
    const scope = scopeOfHostIP(hostIP);
    const out = new Map<number, PortUser>();
    for (const u of this.uses) {
      if (u.protocol !== undefined && u.protocol !== protocol) continue;
      if (!scopesOverlap(u.scope, scope)) continue;
      // A hard holder wins over a soft claim on the same port.
      if (!out.has(u.port) || out.get(u.port)?.soft) out.set(u.port, u.user);
    }
    return out;
  }
}

// Files holding sockets of a protocol; SCTP has none in /proc/net/{tcp,udp}.
const PROC_FILES: Record<Protocol, ProcNetFile[]> = { tcp: ['tcp', 'tcp6'], udp: ['udp', 'udp6'], sctp: [] };

/** Sockets of one /proc/net file as port uses; TIME_WAIT and CLOSE_WAIT TCP sockets are skipped. */
export function procNetUses(file: ProcNetFile, text: string, littleEndian?: boolean): PortUse[] {
  const protocol: Protocol = file.startsWith('tcp') ? 'tcp' : 'udp';
  return parseProcNet(text, littleEndian)
    .filter((s) => protocol !== 'tcp' || (s.state !== TCP_TIME_WAIT && s.state !== TCP_CLOSE_WAIT))
    .map((s) => ({
      protocol,
      scope: scopeOfIP(s.ip, true),
      port: s.port,
      user: { by: `a ${protocol} socket on ${joinHostPort(formatIP(s.ip), s.port)} (/proc/net/${file})` },
    }));
}

/** Ports forwarded by DNAT rules in one family's `iptables -t nat -S` output. */
export function natUses(rulesText: string, family: IPFamily): PortUse[] {
  return natPortUses(rulesText, family).map((r) => ({
    protocol: r.protocol,
    scope: r.scope,
    port: r.port,
    user: { by: `an iptables DNAT rule in chain ${r.chain} (a published port of a CNI container)` },
  }));
}

/** Other containers' recorded mappings as port uses. */
export function claimUses(claims: readonly ContainerPortClaim[]): PortUse[] {
  return claims.flatMap((c) =>
    c.mappings.map((m) => ({
      protocol: m.protocol,
      scope: scopeOfHostIP(m.hostIP),
      port: m.hostPort,
      user: c.soft ? { by: c.owner, soft: true } : { by: c.owner },
    })),
  );
}

export interface ScanOptions {
  sources?: PortSources;
  // Only read what these protocols need (default: all three).
  protocols?: readonly Protocol[];
  claims?: readonly ContainerPortClaim[];
  // Byte order of /proc/net words (default: this host's).
  littleEndian?: boolean;
}

/** Read every source once; all of a container's requests are then planned from this snapshot. */
export async function scanPortUsage(opts: ScanOptions = {}): Promise<PortUsage> {
  const sources = opts.sources ?? hostPortSources;
  const files = [...new Set((opts.protocols ?? PROTOCOLS).flatMap((p) => PROC_FILES[p]))];
  const warnings: string[] = [];
  const note = (what: string) => (err: unknown) => {
    warnings.push(`${what} were not checked for port conflicts: ${err instanceof Error ? err.message : String(err)}`);
    return [] as PortUse[];
  };
  const parts = await Promise.all([
    ...files.map((f) => sources.readProcNet(f).then((text) => procNetUses(f, text, opts.littleEndian), note(`sockets in /proc/net/${f}`))),
    ...([4, 6] as const).map((family) => sources.readNatRules(family).then((text) => natUses(text, family), note(`IPv${family} DNAT rules`))),
  ]);
  return new PortUsage([...parts.flat(), ...claimUses(opts.claims ?? [])], warnings);
}

/** The used host ports for one protocol and host IP ("" or a wildcard: every address). */
export async function usedPorts(protocol: Protocol, hostIP = '', opts: ScanOptions = {}): Promise<Map<number, PortUser>> {
  const usage = await scanPortUsage({ ...opts, protocols: [protocol] });
  return usage.usedPorts(protocol, hostIP);
}
