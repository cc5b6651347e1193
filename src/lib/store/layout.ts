// Every data-root path in one place: nerdctl's tree, so either tool can read the other's
// state. Path components (namespace, container ID, name) are validated here before they reach a path.
import { createHash } from 'node:crypto';
import { mkdir, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';

export const DEFAULT_DATA_ROOT = '/var/lib/nerdctl';
export const DEFAULT_ADDRESS = '/run/containerd/containerd.sock';
// Where port reservers keep their pid files (nerdctl's /run/nerdctl).
export const DEFAULT_RUN_DIR = '/run/nerdctl';

// containerd's identifier rule (pkg/identifiers), used by nerdctl for names, namespaces and IDs.
const IDENTIFIER = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const IDENTIFIER_MAX = 76;

// True when `value` is a valid containerd identifier (for filtering directory listings).
export function isIdentifier(value: string): boolean {
  return value.length <= IDENTIFIER_MAX && IDENTIFIER.test(value);
}

export type IdentifierKind = 'namespace' | 'container ID' | 'container name' | 'network name';

// Throws ERR_INVALID_ARG unless `value` is a containerd identifier: no "/", "..", spaces, newline or NUL.
export function validateIdentifier(kind: IdentifierKind, value: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid ${kind}: it is empty; give a non-empty ${kind}`);
  }
  if (value.length > IDENTIFIER_MAX || !IDENTIFIER.test(value)) {
    const why = value.length > IDENTIFIER_MAX ? `it is ${value.length} characters long (at most ${IDENTIFIER_MAX})` : 'it may contain only letters, digits and single ".", "_" or "-" between them';
    throw new NerdnetError('ERR_INVALID_ARG', `invalid ${kind} ${JSON.stringify(value)}: ${why}; use a value like "web-1"`);
  }
  return value;
}

// The data root nerdctl uses by default: /var/lib/nerdctl, or $XDG_DATA_HOME/nerdctl when rootless.
export function defaultDataRoot(opts: { rootless?: boolean; env?: NodeJS.ProcessEnv } = {}): string {
  if (!opts.rootless) return DEFAULT_DATA_ROOT;
  const xdg = (opts.env ?? process.env).XDG_DATA_HOME;
  return join(xdg ? xdg : join(homedir(), '.local', 'share'), 'nerdctl');
}

// The 8-hex directory name for an already resolved socket path.
export function hashSocketPath(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 8);
}

// Strip `unix://` and resolve symlinks. Deviation: when the socket does not exist,
// nerdctl fails; nerdnet falls back to the path as given, because its embedded runc mode has no containerd.
export async function resolveAddress(address: string): Promise<{ path: string; resolved: boolean }> {
  const path = address.startsWith('unix://') ? address.slice('unix://'.length) : address;
  if (path === '') throw new NerdnetError('ERR_INVALID_ARG', `invalid containerd address ${JSON.stringify(address)}: it is empty; give a socket path like ${DEFAULT_ADDRESS}`);
  try {
    return { path: await realpath(path), resolved: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return { path, resolved: false };
    throw new NerdnetError('ERR_HOST', `cannot resolve containerd address ${path}: ${(err as Error).message}`, { cause: err });
  }
}

// `<hash>` for a containerd address: /run/containerd/containerd.sock → 1935db59.
export async function addressHash(address: string): Promise<string> {
  return hashSocketPath((await resolveAddress(address)).path);
}

// The per-address data store `<dataRoot>/<hash>`, created 0700 like nerdctl's DataStore().
export async function openDataStore(dataRoot: string, address: string = DEFAULT_ADDRESS): Promise<DataStoreLayout> {
  const layout = new DataStoreLayout(join(dataRoot, await addressHash(address)));
  await mkdir(dataRoot, { recursive: true, mode: 0o700 });
  await mkdir(layout.root, { recursive: true, mode: 0o700 });
  return layout;
}

// Paths under one data store (`<dataRoot>/<hash>`); pure, nothing is created.
export class DataStoreLayout {
  constructor(readonly root: string) {}

  // containers/<ns>: parent of the per-container state dirs.
  containersRoot(ns: string): string {
    return join(this.root, 'containers', validateIdentifier('namespace', ns));
  }

  // containers/<ns>/<id>: label nerdctl/state-dir, mode 0700.
  stateDir(ns: string, id: string): string {
    return join(this.containersRoot(ns), validateIdentifier('container ID', id));
  }

  resolvConfPath(ns: string, id: string): string {
    return join(this.stateDir(ns, id), 'resolv.conf');
  }

  hostnamePath(ns: string, id: string): string {
    return join(this.stateDir(ns, id), 'hostname');
  }

  networkConfigPath(ns: string, id: string): string {
    return join(this.stateDir(ns, id), 'network-config.json');
  }

  lifecyclePath(ns: string, id: string): string {
    return join(this.stateDir(ns, id), 'lifecycle.json');
  }

  hookLogPath(ns: string, id: string, event: 'createRuntime' | 'postStop'): string {
    return join(this.stateDir(ns, id), `oci-hook.${event}.log`);
  }

  // etchosts/<ns>: the hosts store root, the directory nerdctl flocks.
  etchostsRoot(ns: string): string {
    return join(this.root, 'etchosts', validateIdentifier('namespace', ns));
  }

  etchostsDir(ns: string, id: string): string {
    return join(this.etchostsRoot(ns), validateIdentifier('container ID', id));
  }

  hostsPath(ns: string, id: string): string {
    return join(this.etchostsDir(ns, id), 'hosts');
  }

  hostsMetaPath(ns: string, id: string): string {
    return join(this.etchostsDir(ns, id), 'meta.json');
  }

  // nerdnet/hosts-index/<ns>.json: nerdnet's own index of etchosts/<ns> (hosts-index.ts); nerdctl
  // neither reads nor needs it, and it is rebuilt from the store when missing.
  hostsIndexPath(ns: string): string {
    return join(this.root, 'nerdnet', 'hosts-index', `${validateIdentifier('namespace', ns)}.json`);
  }

  // nerdnet/creating/<ns>: one journal per create in progress (container/create-journal.ts); nerdctl never looks here.
  createJournalRoot(ns: string): string {
    return join(this.root, 'nerdnet', 'creating', validateIdentifier('namespace', ns));
  }

  createJournalPath(ns: string, id: string): string {
    return join(this.createJournalRoot(ns), `${validateIdentifier('container ID', id)}.json`);
  }

  // nerdnet/removing/<ns>: state dirs rm has renamed away and not yet deleted (same filesystem as containers/).
  removingRoot(ns: string): string {
    return join(this.root, 'nerdnet', 'removing', validateIdentifier('namespace', ns));
  }

  removingDir(ns: string, id: string): string {
    return join(this.removingRoot(ns), validateIdentifier('container ID', id));
  }

  // names/<ns>: the name store root (flocked like etchosts/<ns>).
  namesRoot(ns: string): string {
    return join(this.root, 'names', validateIdentifier('namespace', ns));
  }

  namePath(ns: string, name: string): string {
    return join(this.namesRoot(ns), validateIdentifier('container name', name));
  }
}
