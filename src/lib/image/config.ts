// The parts of an image config a container needs (OCI image-spec config.md), with Docker's
// nulls turned into empty values so the runtime never has to check twice.
import { NerdnetError } from '../errors.js';
import { firstIssue, imageConfigSchema, type RawImageConfig } from './schema.js';

export interface ImageConfig {
  // `KEY=value` strings, in image order.
  env: string[];
  cmd: string[];
  entrypoint: string[];
  // "" means the runtime's default ("/").
  workingDir: string;
  // `80/tcp`, `53/udp`: the keys of ExposedPorts, sorted for a stable `-P` order.
  exposedPorts: string[];
  // "" means root; else `user`, `uid`, `user:group` or `uid:gid` as the image wrote it.
  user: string;
  labels: Record<string, string>;
  volumes: string[];
  stopSignal: string;
  os: string;
  architecture: string;
  variant: string;
  created: string | null;
  diffIDs: string[];
}

// Parse config bytes; `source` names the file in errors.
export function parseImageConfig(bytes: Uint8Array | string, source: string): { raw: RawImageConfig; config: ImageConfig } {
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new NerdnetError('ERR_INVALID_ARG', `${source}: image config is not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = imageConfigSchema.safeParse(json);
  if (!parsed.success) throw new NerdnetError('ERR_INVALID_ARG', `${source}: invalid image config: ${firstIssue(parsed.error)}`);
  const raw = parsed.data;
  const c = raw.config ?? {};
  const config: ImageConfig = {
    env: c.Env ?? [],
    cmd: c.Cmd ?? [],
    entrypoint: c.Entrypoint ?? [],
    workingDir: c.WorkingDir ?? '',
    exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
    user: c.User ?? '',
    labels: c.Labels ?? {},
    volumes: Object.keys(c.Volumes ?? {}).sort(),
    stopSignal: c.StopSignal ?? '',
    os: raw.os ?? 'linux',
    architecture: raw.architecture ?? '',
    variant: raw.variant ?? '',
    created: raw.created ?? null,
    diffIDs: raw.rootfs.diff_ids,
  };
  return { raw, config };
}
