// cnitool's conventions: container ID from the netns path, CNI_ARGS and CAP_ARGS parsing.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { NerdnetError } from '../errors.js';
import type { JsonObject } from './conf.js';

// `cnitool-` + hex of the first 10 bytes of SHA-512 of the absolute netns path.
export function cnitoolContainerID(netnsPath: string): string {
  return `cnitool-${createHash('sha512').update(netnsPath).digest().subarray(0, 10).toString('hex')}`;
}

// `K=V;K=V`: each pair needs a non-empty key and value.
export function parseCniArgs(text: string): Array<[string, string]> {
  if (text === '') return [];
  return text.split(';').map((pair) => {
    const at = pair.indexOf('=');
    const k = at < 0 ? '' : pair.slice(0, at);
    const v = at < 0 ? '' : pair.slice(at + 1);
    if (k === '' || v === '') throw new NerdnetError('ERR_INVALID_ARG', `invalid CNI_ARGS pair "${pair}": write KEY=VALUE pairs separated by ";"`);
    return [k, v];
  });
}

export function parseCapArgs(text: string): JsonObject {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new NerdnetError('ERR_INVALID_ARG', `CAP_ARGS is not valid JSON (${(e as Error).message}): give an object such as {"portMappings":[...]}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NerdnetError('ERR_INVALID_ARG', 'CAP_ARGS must be a JSON object such as {"portMappings":[...]}');
  }
  return value as JsonObject;
}

// A path is made absolute; a bare name that is not a file here is taken from `ip netns` (/run/netns).
export async function resolveNetnsPath(arg: string, netnsDir = '/run/netns'): Promise<string> {
  if (arg === '') throw new NerdnetError('ERR_INVALID_ARG', 'missing network namespace: give a path such as /run/netns/x or a name from `ip netns list`');
  if (isAbsolute(arg) || arg.includes('/')) return resolve(arg);
  const local = resolve(arg);
  try {
    await stat(local);
    return local;
  } catch {
    return resolve(netnsDir, arg);
  }
}
