// Rows of `image ls` as data, with Docker's units: go-units HumanSizeWithPrecision(size, 3) and
// HumanDuration (`2 weeks ago`). The CLI only lays them out.
import { familiarName, parseReference } from './reference.js';
import type { ImageRecord } from './refs.js';

export interface ImageRow {
  Repository: string;
  Tag: string;
  // 12 hex digits of the image ID (the config digest), as `docker images` shows.
  ID: string;
  FullID: string;
  Digest: string;
  CreatedAt: string;
  CreatedSince: string;
  Size: string;
  SizeBytes: number;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

// Decimal units, 3 significant digits: 1982256 → "1.98MB".
export function humanSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(3))}${UNITS[i]}`;
}

// go-units HumanDuration.
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.round(ms / 3_600_000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

function split(name: string | null): { repo: string; tag: string } {
  if (name === null) return { repo: '<none>', tag: '<none>' };
  const ref = parseReference(name);
  return { repo: familiarName(ref), tag: ref.tag ?? '<none>' };
}

export function imageRows(records: ImageRecord[], now: Date = new Date()): ImageRow[] {
  return records.map((r) => {
    const { repo, tag } = split(r.name);
    const created = r.created ? new Date(r.created) : undefined;
    const valid = created !== undefined && !Number.isNaN(created.getTime());
    return {
      Repository: repo,
      Tag: tag,
      ID: r.id.slice(7, 19),
      FullID: r.id,
      Digest: r.manifestDigest ?? '<none>',
      CreatedAt: valid ? created.toISOString() : '',
      CreatedSince: valid ? `${humanDuration(now.getTime() - created.getTime())} ago` : 'N/A',
      Size: humanSize(r.size),
      SizeBytes: r.size,
    };
  });
}
