// Network names, IDs, bridge names and conflist paths.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';

export const DEFAULT_NETWORK_NAME = 'bridge';
export const DEFAULT_BRIDGE = 'nerdctl0';
export const DEFAULT_NETWORK_LABEL = 'nerdctl/default-network';
// Hidden from `ls` and label filters, decoded by inspect.
export const AUX_ADDRESSES_LABEL = 'nerdctl/network-aux-addresses';
export const PSEUDO_NETWORKS = ['host', 'none'] as const;
// A name must fit a file name (`nerdctl-<name>.conflist` < 255 bytes); nerdctl has no cap.
export const MAX_NAME_LENGTH = 128;

// nerdctl's ValidateDockerCompat: the `+` makes 2 characters the minimum.
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const NAME_RULE = 'use 2-128 letters, digits, "_", "." or "-", starting with a letter or digit (e.g. "my-net")';
// containerd's namespace rule; the namespace becomes a directory under the conf dir.
const NAMESPACE_RE = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

// Checked before a name reaches a path or a file (design.md §4).
export function validateNerdctlNetworkName(name: string): void {
  if (name === '') throw invalid(`invalid network name: the name is empty; ${NAME_RULE}`);
  if (name.length > MAX_NAME_LENGTH) {
    throw invalid(`invalid network name "${name.slice(0, 32)}…": ${name.length} characters is longer than the maximum of ${MAX_NAME_LENGTH}`);
  }
  if (name.length === 1 && NAME_RE.test(`${name}x`)) throw invalid(`invalid network name "${name}": names need at least 2 characters; ${NAME_RULE}`);
  if (!NAME_RE.test(name)) {
    const bad = [...name].find((c, i) => !(i === 0 ? /[a-zA-Z0-9]/ : /[a-zA-Z0-9_.-]/).test(c)) ?? '';
    const where = /^[a-zA-Z0-9]/.test(name) ? `character ${JSON.stringify(bad)} is not allowed` : 'it must start with a letter or digit';
    throw invalid(`invalid network name ${JSON.stringify(name)}: ${where}; ${NAME_RULE}`);
  }
}

// nerdctl lets `network create host` write a file that the pseudo network then hides.
export function validateCreatableName(name: string): void {
  validateNerdctlNetworkName(name);
  if ((PSEUDO_NETWORKS as readonly string[]).includes(name)) {
    throw invalid(`network name "${name}" is reserved for the ${name} pseudo network; choose another name`);
  }
}

export function validateNamespace(ns: string): void {
  if (ns === '') return;
  if (ns.length > 76 || !NAMESPACE_RE.test(ns)) {
    throw invalid(`invalid namespace ${JSON.stringify(ns)}: use letters and digits, optionally separated by single ".", "_" or "-" (at most 76 characters)`);
  }
}

// nerdctlID: lowercase hex sha256 of the name.
export function networkID(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

// `nerdctl0` for the default network, else `br-` + 12 hex of the ID.
export function bridgeNameFor(name: string): string {
  return name === DEFAULT_NETWORK_NAME ? DEFAULT_BRIDGE : `br-${networkID(name).slice(0, 12)}`;
}

export function conflistFileName(name: string): string {
  return `nerdctl-${name}.conflist`;
}

// Top level for `bridge` or without a namespace, else `<netconf>/<ns>/`.
export function conflistPath(netconf: string, namespace: string, name: string): string {
  if (name === DEFAULT_NETWORK_NAME || namespace === '') return join(netconf, conflistFileName(name));
  return join(netconf, namespace, conflistFileName(name));
}
