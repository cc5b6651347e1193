// The `-p/--publish` grammar `[[hostIP:][hostPort]:]containerPort[/proto]`.
// Messages start with nerdctl's text (so scripts grepping for it still match), then name the whole
// value and say what to write instead.
import { NerdnetError } from '../errors.js';
import { ipParseError, tryParseIP } from '../ip/index.js';
import { PROTOCOLS } from './types.js';
import type { PortRange, Protocol, PublishRequest } from './types.js';

const EXAMPLES = 'like 8080:80, 127.0.0.1:8080:80, [::1]:8080:80, 8000-8010:80-90/udp or 80 (automatic host port)';

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

// Why `text` is not a port or range, or the range (docker/go-connections ParsePortRange, stricter).
function portRangeOrReason(text: string): PortRange | string {
  const parts = text.split('-');
  if (parts.length > 2) return 'a range has one "-" between two ports';
  const nums: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return `"${p}" is not a port number`;
    const n = Number(p);
    if (n > 65535) return `${p} is greater than 65535`;
    // Deviation: Go accepts 0 here and portmap then fails with "Invalid host port number: 0".
    if (n === 0) return 'port 0 is not allowed';
    nums.push(n);
  }
  const start = nums[0] ?? 0;
  const end = nums[1] ?? start;
  if (end < start) return `the range ends (${end}) before it starts (${start})`;
  return { start, end };
}

// Go's net.SplitHostPort: "h:p" or "[h]:p" (IPv6 must be bracketed); undefined when it fails.
export function splitHostPort(s: string): { host: string; port: string } | undefined {
  const colon = s.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host: string;
  let afterOpen = 0;
  let afterClose = 0;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || close + 1 !== colon) return undefined;
    host = s.slice(1, close);
    afterOpen = 1;
    afterClose = close + 1;
  } else {
    host = s.slice(0, colon);
    if (host.includes(':')) return undefined;
  }
  if (s.indexOf('[', afterOpen) >= 0 || s.indexOf(']', afterClose) >= 0) return undefined;
  return { host, port: s.slice(colon + 1) };
}

// nerdctl's splitParts: containerPort after the last ":", then SplitHostPort on the rest, else all of it is hostPort.
function splitParts(raw: string): { ip: string; hostPort: string; containerPort: string } {
  const last = raw.lastIndexOf(':');
  const containerPort = raw.slice(last + 1);
  if (last < 0) return { ip: '', hostPort: '', containerPort };
  const hostAddrPort = raw.slice(0, last);
  const hp = splitHostPort(hostAddrPort);
  return hp ? { ip: hp.host, hostPort: hp.port, containerPort } : { ip: '', hostPort: hostAddrPort, containerPort };
}

// What to suggest for a host part that did not parse as a port.
function hostPortHint(hostPort: string, containerPort: string): string {
  const bare = hostPort.replace(/^\[|\]$/g, '');
  const bracketed = hostPort.startsWith('[') && hostPort.endsWith(']');
  if (bracketed && tryParseIP(bare)) return `"${hostPort}" is an address, not a port; for an automatic host port on it write ${hostPort}::${containerPort}`;
  if (bare.includes(':')) {
    // Unbracketed IPv6: "::1:8080" is most likely [::1]:8080.
    const last = bare.lastIndexOf(':');
    const [addr, port] = [bare.slice(0, last), bare.slice(last + 1)];
    const asPort = typeof portRangeOrReason(port) !== 'string';
    if (asPort && tryParseIP(addr)) return `an IPv6 host address must be in brackets: write [${addr}]:${port}:${containerPort}`;
    return `an IPv6 host address must be in brackets, like [::1]:8080:${containerPort}`;
  }
  if (tryParseIP(bare)) return `"${hostPort}" is an address, not a port; for an automatic host port on it write ${bare}::${containerPort}`;
  const why = portRangeOrReason(hostPort);
  return `${typeof why === 'string' ? why : 'not a port'}; give a host port from 1 to 65535 or a range like 8000-8010`;
}

/** Parse one `-p` value; throws ERR_INVALID_ARG naming the value and the fix. */
export function parsePublish(spec: string): PublishRequest {
  const where = `(in -p "${spec}")`;
  const bySlash = spec.split('/');
  if (bySlash.length > 2) throw invalid(`failed to parse "${spec}", unexpected slashes: give at most one "/protocol" suffix, like 8080:80/udp`);
  let protocol: Protocol = 'tcp';
  if (bySlash.length === 2) {
    const typed = bySlash[1] ?? '';
    const lower = typed.toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(lower)) throw invalid(`invalid protocol "${typed}" ${where}: use tcp, udp or sctp, like 8080:80/udp`);
    protocol = lower as Protocol;
  }
  const portPart = bySlash[0] ?? '';
  const { ip, hostPort, containerPort } = splitParts(portPart);
  if (containerPort === '') throw invalid(`no port specified: ${portPart} ${where}: give the container port after the last ":", ${EXAMPLES}`);

  const containerPorts = portRangeOrReason(containerPort);
  if (typeof containerPorts === 'string') {
    throw invalid(`invalid containerPort: ${containerPort} ${where}: ${containerPorts}; give a port from 1 to 65535 or a range like 8000-8010`);
  }
  let hostPorts: PortRange | undefined;
  if (hostPort !== '') {
    const parsed = portRangeOrReason(hostPort);
    if (typeof parsed === 'string') throw invalid(`invalid hostPort: ${hostPort} ${where}: ${hostPortHint(hostPort, containerPort)}`);
    hostPorts = parsed;
  }
  if (hostPorts) checkRangeLengths(containerPorts, hostPorts, where);
  if (ip !== '') {
    const why = ipParseError(ip);
    if (why !== undefined) {
      throw invalid(`invalid ip address: ${ip} ${where}: ${why}; give an IPv4 address like 127.0.0.1 or a bracketed IPv6 address like [::1]:8080:80`);
    }
  }
  return { hostIP: ip === '' ? '0.0.0.0' : ip, hostPorts, containerPorts, protocol };
}

// Ranges must have the same length unless one container port takes the first free port of a host range (step 6).
export function checkRangeLengths(containerPorts: PortRange, hostPorts: PortRange, where = ''): void {
  const c = containerPorts.end - containerPorts.start;
  const h = hostPorts.end - hostPorts.start;
  if (c === 0 || c === h) return;
  throw invalid(
    `invalid ranges specified for container and host Ports: ${rangeText(containerPorts)} and ${rangeText(hostPorts)}${where ? ` ${where}` : ''}: ` +
      'give ranges of the same length (8000-8002:80-82), or one container port with a host range to use its first free port (8000-8010:80)',
  );
}

// "80" or "8000-8010".
export function rangeText(r: PortRange): string {
  return r.start === r.end ? String(r.start) : `${r.start}-${r.end}`;
}

/** Parse repeated `-p` flags: each value is comma-split, duplicates dropped in first-seen order (spec 3.1). */
export function parsePublishFlags(values: readonly string[]): PublishRequest[] {
  const seen = new Set<string>();
  const out: PublishRequest[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(parsePublish(v));
  }
  return out;
}

/** `--expose` values and an image's ExposedPorts keys (`80`, `53/udp`, `8000-8002`) as Docker's keys
 * `80/tcp`, a range expanded, duplicates dropped in first-seen order. */
export function parseExposedPorts(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    const [ports = '', proto = 'tcp', ...more] = v.split('/');
    const lower = proto.toLowerCase();
    if (more.length > 0 || !(PROTOCOLS as readonly string[]).includes(lower)) throw invalid(`invalid --expose "${v}": write PORT[/PROTO] with tcp, udp or sctp, like 80 or 53/udp`);
    const range = portRangeOrReason(ports);
    if (typeof range === 'string') throw invalid(`invalid --expose "${v}": ${range}; give a port from 1 to 65535 or a range like 8000-8010`);
    for (let p = range.start; p <= range.end; p++) out.add(`${p}/${lower}`);
  }
  return [...out];
}

/** -P/--publish-all: each exposed port (`80/tcp`) that no -p publishes, on an automatic host port. */
export function publishAllRequests(exposed: readonly string[], published: readonly PublishRequest[]): PublishRequest[] {
  const covered = (port: number, proto: string) => published.some((r) => r.protocol === proto && r.containerPorts.start <= port && port <= r.containerPorts.end);
  return exposed.filter((key) => {
    const [port = '', proto = ''] = key.split('/');
    return !covered(Number(port), proto);
  }).map((key) => parsePublish(key));
}

/** The `PRIVATE_PORT[/PROTO]` argument of `nerdctl port` (`80`, `53/udp`). */
export function parsePortFilter(text: string): { containerPort: number; protocol: Protocol } {
  const [port = '', proto, ...rest] = text.split('/');
  const hint = 'give a container port like 80 or 53/udp';
  if (rest.length > 0) throw invalid(`failed to parse "${text}": ${hint}`);
  const n = /^[0-9]+$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535)) throw invalid(`unexpected port "${port}" in "${text}": ${hint}`);
  const protocol = (proto ?? 'tcp').toLowerCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw invalid(`invalid protocol "${proto ?? ''}" in "${text}": use tcp, udp or sctp`);
  return { containerPort: n, protocol: protocol as Protocol };
}
