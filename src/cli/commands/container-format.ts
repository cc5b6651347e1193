// ps output as nerdctl prints it: columns CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS,
// NAMES; Docker's human durations ("5 seconds ago"), "Up", "Exited (0) 3 seconds ago", "Created".
import type { ContainerView } from '../../lib/container/inspect.js';
import { formatPsPorts } from '../../lib/ports/format.js';
import { table } from '../format.js';

// go-units HumanDuration, which Docker and nerdctl print.
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

export function ago(iso: string, now: number): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : `${humanDuration(Math.max(0, now - t))} ago`;
}

// nerdctl's STATUS: "Up" while running, "Exited (N) X ago", "Created"; "Unknown" as nerdctl shows a
// container whose task cannot be read.
export function statusText(v: ContainerView, now: number): string {
  const s = v.state;
  if (s.status === 'running') return 'Up';
  if (s.status === 'created') return 'Created';
  if (s.status === 'unknown') return 'Unknown';
  const when = s.finishedAt ? ` ${ago(s.finishedAt, now)}` : '';
  return `Exited (${s.exitCode})${when}`;
}

// `"sh -c 'echo hi'"`, cut to 20 characters with "…" unless --no-trunc (Docker's Ellipsis).
export function commandText(v: ContainerView, trunc: boolean): string {
  const cmd = [v.record.path, ...v.record.args].join(' ');
  const chars = [...cmd];
  const cut = trunc && chars.length > 20 ? `${chars.slice(0, 19).join('')}…` : cmd;
  return JSON.stringify(cut);
}

// Go's time.Time String() without the monotonic part, in UTC: "2026-11-27 22:39:23 +0000 UTC".
export function createdAtText(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

// The object `--format` templates see (nerdctl's ps JSON keys).
export function psObject(v: ContainerView, opts: { trunc: boolean; now: number }): Record<string, unknown> {
  const r = v.record;
  return {
    Command: commandText(v, opts.trunc),
    CreatedAt: createdAtText(r.created),
    ID: opts.trunc ? r.id.slice(0, 12) : r.id,
    Image: r.image || (r.rootfs.kind === 'dir' ? r.rootfs.path : ''),
    Platform: 'linux',
    Names: r.name,
    Ports: formatPsPorts(v.ports),
    Status: statusText(v, opts.now),
    Runtime: 'runc',
    Size: '',
    Labels: Object.entries(r.config.labels)
      .map(([k, val]) => `${k}=${val}`)
      .join(','),
    Networks: r.hostConfig.networkMode,
    RunningFor: ago(r.created, opts.now),
  };
}

// `ps --format 'table ...'` column names: Docker's headers for these fields.
export const PS_HEADERS: Readonly<Record<string, string>> = {
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Platform: 'PLATFORM',
  Names: 'NAMES',
  Ports: 'PORTS',
  Status: 'STATUS',
  Runtime: 'RUNTIME',
  Size: 'SIZE',
  Labels: 'LABELS',
  Networks: 'NETWORKS',
  RunningFor: 'CREATED',
};

export function psTable(views: readonly ContainerView[], opts: { trunc: boolean; now: number }): string {
  const rows = views.map((v) => {
    const o = psObject(v, opts);
    return [o.ID, o.Image, o.Command, o.RunningFor, o.Status, o.Ports, o.Names].map(String);
  });
  return table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], rows);
}
