// The containerd API messages nerdnet uses, in proto-loader's shape: camelCase fields, int64 as
// number, enums as names, Timestamp as { seconds, nanos }.

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface Mount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export function toTimestamp(date: Date): Timestamp {
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

// Unset timestamps (seconds 0) are undefined.
export function fromTimestamp(ts: Timestamp | null | undefined): Date | undefined {
  if (!ts || (ts.seconds === 0 && ts.nanos === 0)) return undefined;
  return new Date(ts.seconds * 1000 + Math.floor(ts.nanos / 1_000_000));
}

// Labels containerd's garbage collector follows (metadata/gc.go).
export const LABELS = {
  gcRoot: 'containerd.io/gc.root',
  gcExpire: 'containerd.io/gc.expire',
  gcRefContentConfig: 'containerd.io/gc.ref.content.config',
  gcRefContentLayer: (i: number) => `containerd.io/gc.ref.content.l.${i}`,
  gcRefSnapshot: (snapshotter: string) => `containerd.io/gc.ref.snapshot.${snapshotter}`,
  uncompressed: 'containerd.io/uncompressed',
  snapshotRef: 'containerd.io/snapshot.ref',
  imageName: 'io.containerd.image.name',
  refName: 'org.opencontainers.image.ref.name',
} as const;
