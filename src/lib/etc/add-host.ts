// --add-host parsing without nerdctl's quirks: `name=ip` works, `[v6]` is written without
// brackets, and `host-gateway` resolves to a given IP or the host's first non-loopback IPv4 address.
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import { NerdnetError } from '../errors.js';
import { formatIP, ipParseError, parseIP } from '../ip/index.js';
import { validateHostAlias } from './validate.js';

export const HOST_GATEWAY = 'host-gateway';

export interface ExtraHost {
  host: string;
  ip: string;
}

export interface ParseAddHostsOptions {
  // --host-gateway-ip / NERDCTL_HOST_GATEWAY_IP.
  hostGatewayIP?: string | undefined;
  // Interfaces to derive the host-gateway IP from (default: os.networkInterfaces()).
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

// nerdctl's default host-gateway IP: the first non-loopback IPv4 interface address.
export function detectHostGatewayIP(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | undefined {
  for (const addrs of Object.values(interfaces)) {
    const found = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return undefined;
}

function badFormat(raw: string, why: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', `bad format for add-host ${JSON.stringify(raw)}: ${why}; write NAME:IP or NAME=IP, e.g. db:10.0.0.5, db=10.0.0.5, db:[fd00::5] or gw:host-gateway`);
}

function resolveHostGateway(opts: ParseAddHostsOptions): string {
  if (opts.hostGatewayIP !== undefined && opts.hostGatewayIP !== '') {
    const why = ipParseError(opts.hostGatewayIP);
    if (why) throw new NerdnetError('ERR_INVALID_ARG', `invalid host-gateway IP ${JSON.stringify(opts.hostGatewayIP)}: ${why}; set --host-gateway-ip to an address of this host`);
    return formatIP(parseIP(opts.hostGatewayIP));
  }
  const detected = detectHostGatewayIP(opts.interfaces);
  if (detected === undefined) {
    throw new NerdnetError('ERR_INVALID_ARG', 'unable to derive the IP value for host-gateway: this host has no non-loopback IPv4 address; set --host-gateway-ip (or NERDCTL_HOST_GATEWAY_IP)');
  }
  return detected;
}

// One `name:ip` / `name=ip` value; "=" is tried first, like docker/cli's ValidateExtraHost.
export function parseAddHost(raw: string, opts: ParseAddHostsOptions = {}): ExtraHost {
  let sep = raw.indexOf('=');
  if (sep < 0) sep = raw.indexOf(':');
  if (sep < 0) throw badFormat(raw, 'no ":" or "=" between the name and the address');
  const host = raw.slice(0, sep);
  let value = raw.slice(sep + 1);
  if (host === '') throw badFormat(raw, 'the host name is empty');
  if (host.includes(':')) throw badFormat(raw, 'the host name contains ":" (did you write IP:NAME?)');
  validateHostAlias(host, raw);
  if (value === HOST_GATEWAY) return { host, ip: resolveHostGateway(opts) };
  if (value.length > 2 && value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  const why = ipParseError(value);
  if (why) throw new NerdnetError('ERR_INVALID_ARG', `invalid IP address in add-host ${JSON.stringify(raw)}: ${JSON.stringify(value)} is not an IP address (${why}); write NAME:IP, name first, like db:10.0.0.5`);
  return { host, ip: formatIP(parseIP(value)) };
}

// All values, deduplicated (first occurrence order); a host given twice keeps the last address (#1072).
export function parseAddHosts(values: readonly string[], opts: ParseAddHostsOptions = {}): ExtraHost[] {
  const byHost = new Map<string, string>();
  for (const raw of new Set(values)) {
    const { host, ip } = parseAddHost(raw, opts);
    byHost.set(host, ip);
  }
  return [...byHost].map(([host, ip]) => ({ host, ip }));
}

// The hosts store's map (meta.json `ExtraHosts`).
export function extraHostsMap(list: readonly ExtraHost[]): Record<string, string> {
  return Object.fromEntries(list.map((e) => [e.host, e.ip]));
}

// The `nerdctl/extraHosts` label value: `["name:ip", …]` (IPv6 unbracketed, unlike nerdctl).
export function extraHostsLabel(list: readonly ExtraHost[]): string {
  return JSON.stringify(list.map((e) => `${e.host}:${e.ip}`));
}
