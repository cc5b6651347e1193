// Plugin lookup: the first regular file named `type` in the dirs.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';

// A plugin `type` is a bare executable name: no path separators and no `..` (it reaches a path).
export function validatePluginType(type: string): void {
  if (type === '') throw new NerdnetError('ERR_INVALID_CONFIG', 'no plugin name provided');
  if (type.includes('/') || type.includes('\\') || type === '.' || type === '..' || type.includes('\0')) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `invalid plugin name: ${type}`);
  }
}

export async function findInPath(type: string, dirs: readonly string[]): Promise<string> {
  validatePluginType(type);
  if (dirs.length === 0) throw new NerdnetError('ERR_PLUGIN_NOT_FOUND', 'no paths provided');
  for (const dir of dirs) {
    const candidate = join(dir, type);
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not in this dir
    }
  }
  throw new NerdnetError(
    'ERR_PLUGIN_NOT_FOUND',
    `failed to find plugin "${type}" in path [${dirs.join(' ')}]: install the CNI plugins (Debian: containernetworking-plugins) or point --cni-path / CNI_PATH at their directory`,
  );
}
