// Whether a `-p` host IP is an address of this host, asked the way the port reserver will bind it:
// a bind to port 0 there. Docker and nerdctl fail the start on such a bind ("cannot assign requested
// address"); portmap's DNAT rules for it would never match, so the port would be published nowhere.
import { createServer } from 'node:net';
import { NerdnetError } from '../errors.js';
import { formatIP, parseIP, unmapIPv4 } from '../ip/index.js';
import type { PublishRequest } from './types.js';

// Errors that say the address cannot be bound on this host (not ours, or its family is off).
const NOT_OURS = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);

function bindError(host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port: 0, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Refuse `[::1]`: the kernel never routes ::1 to another interface (IPv6 has no route_localnet,
 * which portmap turns on for 127.0.0.1), so portmap's DNAT from it would publish nothing. */
export function refuseIPv6Loopback(requests: readonly PublishRequest[]): void {
  const bad = requests.find((r) => {
    const ip = parseIP(r.hostIP);
    return ip.family === 6 && ip.value === 1n;
  });
  if (!bad) return;
  throw new NerdnetError(
    'ERR_INVALID_ARG',
    `invalid -p host IP ${bad.hostIP}: the IPv6 loopback cannot be forwarded to a container (the kernel does not route ::1 off the host, and IPv6 has no route_localnet); publish on [::] or an IPv6 address of this host, or on 127.0.0.1`,
  );
}

/** Refuse a request whose host IP no socket on this host could bind; the wildcards always pass. */
export async function checkHostAddresses(requests: readonly PublishRequest[]): Promise<void> {
  const tested = new Set<string>();
  for (const r of requests) {
    const ip = unmapIPv4(parseIP(r.hostIP));
    if (ip.value === 0n) continue;
    const host = formatIP(ip);
    if (tested.has(host)) continue;
    tested.add(host);
    const err = await bindError(host);
    if (err?.code === undefined || !NOT_OURS.has(err.code)) continue;
    throw new NerdnetError(
      'ERR_INVALID_ARG',
      `invalid -p host IP ${r.hostIP}: it is not an address of this host (bind: ${err.code}); publish on one of the host's addresses, on 127.0.0.1, or leave the host IP out for every address (0.0.0.0)`,
    );
  }
}
