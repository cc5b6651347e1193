// Pure planning of host ports for one container's `-p` requests: no I/O, the
// used ports come from a lookup (used.ts in production, fixed maps in tests).
import { NerdnetError } from '../errors.js';
import { formatPublish } from './format.js';
import { joinHostPort, scopeOfHostIP, scopesOverlap } from './hostip.js';
import type { HostScope } from './hostip.js';
import { checkRangeLengths, rangeText } from './parse.js';
import { AUTO_PORT_END, AUTO_PORT_START, PROTOCOLS } from './types.js';
import type { PortMapping, PortRange, PortUser, PublishRequest, UsedPortLookup } from './types.js';

export interface AllocateOptions {
  // Rootless nerdctl cannot see the ports of RootlessKit's namespace, so it refuses automatic ports (step 5).
  rootless?: boolean;
}

interface Planned {
  readonly mapping: PortMapping;
  readonly scope: HostScope;
  readonly request: PublishRequest;
}

const AUTO_SPAN = AUTO_PORT_END - AUTO_PORT_START + 1;

function inUse(message: string): NerdnetError {
  return new NerdnetError('ERR_IN_USE', message);
}

// Requests may be built by callers (e.g. -P), so check them as parsePublish would have.
function validateRequest(req: PublishRequest): void {
  const bad = (why: string): NerdnetError => new NerdnetError('ERR_INVALID_ARG', `invalid port request ${JSON.stringify(req)}: ${why}`);
  const checkRange = (r: PortRange, what: string): void => {
    if (!Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 1 || r.end > 65535 || r.end < r.start) {
      throw bad(`${what} must be ports from 1 to 65535 with start <= end`);
    }
  };
  if (!(PROTOCOLS as readonly string[]).includes(req.protocol)) throw bad('protocol must be tcp, udp or sctp');
  checkRange(req.containerPorts, 'containerPorts');
  if (req.hostPorts) {
    checkRange(req.hostPorts, 'hostPorts');
    checkRangeLengths(req.containerPorts, req.hostPorts, `(in -p "${formatPublish(req)}")`);
  }
  scopeOfHostIP(req.hostIP);
}

class Planner {
  private readonly planned: Planned[] = [];

  constructor(
    private readonly used: UsedPortLookup,
    private readonly opts: AllocateOptions,
  ) {}

  // The earlier mapping of this container that already has `port` for this protocol and address.
  private sibling(req: PublishRequest, scope: HostScope, port: number): Planned | undefined {
    return this.planned.find((p) => p.mapping.protocol === req.protocol && p.mapping.hostPort === port && scopesOverlap(p.scope, scope));
  }

  // Free for automatic choice: no socket, rule or claim of any kind, and not planned here.
  private freeForAuto(req: PublishRequest, scope: HostScope, used: ReadonlyMap<number, PortUser>, port: number): boolean {
    return !used.has(port) && !this.sibling(req, scope, port);
  }

  // Free for an explicit host port: soft claims (stopped containers) do not refuse it.
  private hardUser(used: ReadonlyMap<number, PortUser>, port: number): PortUser | undefined {
    const user = used.get(port);
    return user && !user.soft ? user : undefined;
  }

  plan(req: PublishRequest): PortMapping[] {
    const scope = scopeOfHostIP(req.hostIP);
    const used = this.used.usedPorts(req.protocol, req.hostIP);
    const hostStart = req.hostPorts ? this.explicit(req, scope, used, req.hostPorts) : this.auto(req, scope, used);
    const out: PortMapping[] = [];
    for (let c = req.containerPorts.start; c <= req.containerPorts.end; c++) {
      const mapping: PortMapping = { hostPort: hostStart + (c - req.containerPorts.start), containerPort: c, protocol: req.protocol, hostIP: req.hostIP };
      this.planned.push({ mapping, scope, request: req });
      out.push(mapping);
    }
    return out;
  }

  // Count-aligned blocks from 49153; the first block with no used port wins (step 5).
  private auto(req: PublishRequest, scope: HostScope, used: ReadonlyMap<number, PortUser>): number {
    const cp = rangeText(req.containerPorts);
    if (this.opts.rootless) {
      throw new NerdnetError('ERR_INVALID_ARG', `automatic port allocation is not implemented for rootless mode (Hint: specify the port like "12345:${cp}", not just "${cp}")`);
    }
    const count = req.containerPorts.end - req.containerPorts.start + 1;
    if (count > AUTO_SPAN) {
      throw new NerdnetError(
        'ERR_INVALID_ARG',
        `can not allocate ${count} ports: automatic host ports come from ${AUTO_PORT_START}-${AUTO_PORT_END} (${AUTO_SPAN} ports); publish a smaller range or give the host ports (-p 20000-${20000 + count - 1}:${cp})`,
      );
    }
    // Deviation: nerdctl lets the last block run past 60999 and never tries 60999 alone; blocks stay inside here.
    for (let start = AUTO_PORT_START; start + count - 1 <= AUTO_PORT_END; start += count) {
      let free = true;
      for (let p = start; p < start + count && free; p++) free = this.freeForAuto(req, scope, used, p);
      if (free) return start;
    }
    throw inUse(
      `there is not enough ${count} free ports: no block of ${count} free ${req.protocol} port(s) is left in ${AUTO_PORT_START}-${AUTO_PORT_END} on ${req.hostIP}; ` +
        `remove containers that publish ports there, or give the host ports explicitly (-p HOSTPORT:${cp})`,
    );
  }

  // Explicit host ports: a single container port takes the first free port of a host range (pool); else all must be free.
  private explicit(req: PublishRequest, scope: HostScope, used: ReadonlyMap<number, PortUser>, host: PortRange): number {
    if (req.containerPorts.start === req.containerPorts.end && host.start !== host.end) {
      // Prefer ports nothing claims; fall back to ports only stopped containers claim.
      for (const ok of [(p: number) => this.freeForAuto(req, scope, used, p), (p: number) => !this.hardUser(used, p) && !this.sibling(req, scope, p)]) {
        for (let p = host.start; p <= host.end; p++) if (ok(p)) return p;
      }
      throw inUse(
        `bind for ${req.hostIP} failed: all ports in range ${rangeText(host)} are already allocated (in -p "${formatPublish(req)}"); ` +
          'widen the range, choose other host ports, or stop what uses them',
      );
    }
    for (let p = host.start; p <= host.end; p++) {
      const sibling = this.sibling(req, scope, p);
      if (sibling) {
        throw inUse(
          `bind for ${joinHostPort(req.hostIP, p)} failed: port is already allocated by another -p of this container ("${formatPublish(sibling.request)}" and "${formatPublish(req)}"); ` +
            'give each -p its own host port',
        );
      }
      const user = this.hardUser(used, p);
      if (user) {
        throw inUse(
          `bind for ${joinHostPort(req.hostIP, p)} failed: port is already allocated (held by ${user.by}); ` +
            `choose another host port, leave it out to get a free one (-p ${rangeText(req.containerPorts)}), or stop what holds it`,
        );
      }
    }
    return host.start;
  }
}

/**
 * Choose host ports for one container's requests; mappings come back in request order. Explicit
 * ports are placed first so an automatic block never takes a port a later `-p` names.
 */
export function allocatePorts(requests: readonly PublishRequest[], used: UsedPortLookup, opts: AllocateOptions = {}): PortMapping[] {
  requests.forEach(validateRequest);
  const planner = new Planner(used, opts);
  const results = new Map<number, PortMapping[]>();
  const order = requests.map((req, i) => ({ req, i, phase: !req.hostPorts ? 2 : req.containerPorts.start === req.containerPorts.end && req.hostPorts.start !== req.hostPorts.end ? 1 : 0 }));
  order.sort((a, b) => a.phase - b.phase || a.i - b.i);
  for (const { req, i } of order) results.set(i, planner.plan(req));
  return requests.flatMap((_, i) => results.get(i) ?? []);
}
