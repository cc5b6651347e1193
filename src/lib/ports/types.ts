// Shared shapes of the ports module: a parsed `-p` request, the CNI portMappings entry, port users.

export type Protocol = 'tcp' | 'udp' | 'sctp';
export const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

/** An inclusive port range; a single port has start === end. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

/** One `-p/--publish` value after parsing (spec 3.4), before any host port is chosen. */
export interface PublishRequest {
  // As typed (brackets removed), "0.0.0.0" when the value had none.
  readonly hostIP: string;
  // undefined: choose a free block automatically.
  readonly hostPorts: PortRange | undefined;
  readonly containerPorts: PortRange;
  readonly protocol: Protocol;
}

/** One published port in the shape of the CNI `portMappings` capability (camelCase, cni-runtime 3.5). */
export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: Protocol;
  hostIP: string;
}

/** Who holds a host port, for conflict messages; `soft` users only steer automatic allocation. */
export interface PortUser {
  // e.g. "a socket listening on 127.0.0.1:8080", "container web-1".
  readonly by: string;
  // A claim that does not refuse an explicit host port (e.g. a stopped container's mapping).
  readonly soft?: boolean;
}

/** What the allocator asks: which host ports are taken for this protocol on this host IP. */
export interface UsedPortLookup {
  usedPorts(protocol: Protocol, hostIP: string): ReadonlyMap<number, PortUser>;
}

// Docker's ephemeral publishing range, which nerdctl reuses for automatic host ports.
export const AUTO_PORT_START = 49153;
export const AUTO_PORT_END = 60999;
