// Text forms of published ports: `nerdctl port` lines, the `ps` PORTS column (nerdctl's
// display formats) and a canonical `-p` value for a request. IPv6 host addresses are bracketed, as Docker
// prints them (nerdctl prints `:::8080`, which cannot be read back).
import { NerdnetError } from '../errors.js';
import { joinHostPort } from './hostip.js';
import { rangeText } from './parse.js';
import type { PortMapping, Protocol, PublishRequest } from './types.js';

// A `-p` value that parsePublish reads back to the same request.
export function formatPublish(req: PublishRequest): string {
  const host = req.hostIP.includes(':') ? `[${req.hostIP}]` : req.hostIP;
  const hostPorts = req.hostPorts ? rangeText(req.hostPorts) : '';
  return `${host}:${hostPorts}:${rangeText(req.containerPorts)}/${req.protocol}`;
}

/**
 * `nerdctl port CONTAINER [PORT[/PROTO]]`: `80/tcp -> 0.0.0.0:8080` per mapping, or with a filter
 * the `hostIP:hostPort` of every mapping of that container port (ERR_NOT_FOUND when none).
 */
export function formatPortLines(
  mappings: readonly PortMapping[],
  filter?: { containerPort: number; protocol: Protocol },
  container = 'the container',
): string[] {
  if (!filter) return mappings.map((m) => `${m.containerPort}/${m.protocol} -> ${joinHostPort(m.hostIP, m.hostPort)}`);
  const lines = mappings.filter((m) => m.containerPort === filter.containerPort && m.protocol === filter.protocol).map((m) => joinHostPort(m.hostIP, m.hostPort));
  if (lines.length === 0) {
    throw new NerdnetError('ERR_NOT_FOUND', `no public port ${filter.containerPort}/${filter.protocol} published for ${container}; run "nerdctl port" without a port to list what is published`);
  }
  return lines;
}

interface Run {
  host: number;
  container: number;
  length: number;
}

// Consecutive host ports mapped to consecutive container ports collapse into one run.
function runsOf(mappings: readonly PortMapping[]): Run[] {
  const sorted = [...mappings].sort((a, b) => a.hostPort - b.hostPort || a.containerPort - b.containerPort);
  const runs: Run[] = [];
  for (const m of sorted) {
    const last = runs.at(-1);
    if (last && m.hostPort === last.host + last.length - 1 && m.containerPort === last.container + last.length - 1) continue;
    if (last && m.hostPort === last.host + last.length && m.containerPort === last.container + last.length) last.length++;
    else runs.push({ host: m.hostPort, container: m.containerPort, length: 1 });
  }
  return runs;
}

function runText(r: Run): string {
  if (r.length === 1) return `${r.host}->${r.container}`;
  return `${r.host}-${r.host + r.length - 1}->${r.container}-${r.container + r.length - 1}`;
}

/** The `ps` PORTS column: `0.0.0.0:80->80, 443->443/tcp, 127.0.0.1:7000-7005->79-84/tcp`. */
export function formatPsPorts(mappings: readonly PortMapping[]): string {
  const groups = new Map<string, PortMapping[]>();
  for (const m of mappings) {
    const key = `${m.hostIP}\u0000${m.protocol}`;
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  const keys = [...groups.keys()].sort();
  return keys
    .map((key) => {
      const [hostIP = '', protocol = ''] = key.split('\u0000');
      const prefix = hostIP.includes(':') ? `[${hostIP}]:` : `${hostIP}:`;
      return `${prefix}${runsOf(groups.get(key) ?? []).map(runText).join(', ')}/${protocol}`;
    })
    .join(', ');
}
