// The OCI bundle of a container: a directory holding config.json (the rootfs path inside is absolute).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import type { Spec } from '../oci/types.js';
import { writeFileAtomic } from '../store/atomic.js';

export function configPath(bundle: string): string {
  return join(bundle, 'config.json');
}

export async function writeBundle(bundle: string, spec: Spec): Promise<void> {
  await mkdir(bundle, { recursive: true, mode: 0o700 });
  await writeFileAtomic(configPath(bundle), `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
}

export async function readBundleSpec(bundle: string): Promise<Spec> {
  const path = configPath(bundle);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Spec;
  } catch (err) {
    throw new NerdnetError('ERR_NOT_FOUND', `cannot read the container's OCI spec ${path}: ${(err as Error).message}; remove the container and create it again`, { cause: err });
  }
}
