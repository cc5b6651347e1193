// The name store `names/<ns>/<name>` → container ID: content = the ID, no newline,
// mode 0600, under a flock on `names/<ns>` like nerdctl's namestore; writes are atomic renames.
import { NerdnetError } from '../errors.js';
import { withStore } from '../store/json-store.js';
import type { LockedStore } from '../store/json-store.js';
import { isIdentifier, validateIdentifier } from '../store/layout.js';
import type { DataStoreLayout } from '../store/layout.js';

export interface NameStoreOptions {
  layout: DataStoreLayout;
  lockTimeoutMs?: number;
}

function inUse(name: string, holder: string): NerdnetError {
  return new NerdnetError(
    'ERR_ALREADY_EXISTS',
    `name "${name}" is already used by ID "${holder}"; remove or rename that container, or choose another name`,
  );
}

export class NameStore {
  constructor(private readonly opts: NameStoreOptions) {}

  // Claim `name` for `id`. Claiming a name the same ID already holds succeeds (nerdctl fails, which
  // breaks re-acquiring after a containerd restart, #3354).
  async acquire(ns: string, name: string, id: string): Promise<void> {
    validateIdentifier('container name', name);
    validateIdentifier('container ID', id);
    await this.locked(ns, async (tx) => {
      const holder = await this.holder(tx, name);
      if (holder === id) return;
      if (holder !== undefined) throw inUse(name, holder);
      await tx.set(id, name);
    });
  }

  // Give `name` back; a missing name is fine, a name held by another ID is an error.
  async release(ns: string, name: string, id: string): Promise<void> {
    if (name === '') return;
    validateIdentifier('container name', name);
    validateIdentifier('container ID', id);
    await this.locked(ns, async (tx) => {
      const holder = await this.holder(tx, name);
      if (holder === undefined) return;
      if (holder !== id) throw new NerdnetError('ERR_IN_USE', `name "${name}" is used by ID "${holder}", not by "${id}"; nothing was released`);
      await tx.delete(name);
    });
  }

  // Move `id`'s name from oldName to newName in one rename(2).
  async rename(ns: string, oldName: string, id: string, newName: string): Promise<void> {
    validateIdentifier('container name', oldName);
    validateIdentifier('container name', newName);
    validateIdentifier('container ID', id);
    await this.locked(ns, async (tx) => {
      const holder = await this.holder(tx, oldName);
      if (holder === undefined) throw new NerdnetError('ERR_NOT_FOUND', `name "${oldName}" is not in use; nothing to rename to "${newName}"`);
      if (holder !== id) throw new NerdnetError('ERR_IN_USE', `name "${oldName}" is used by ID "${holder}", not by "${id}"; cannot rename it`);
      if (oldName === newName) return;
      const other = await this.holder(tx, newName);
      if (other !== undefined) throw inUse(newName, other);
      await tx.move([oldName], [newName]);
    });
  }

  // The ID holding `name`, or undefined.
  async lookup(ns: string, name: string): Promise<string | undefined> {
    validateIdentifier('container name', name);
    return this.locked(ns, (tx) => this.holder(tx, name));
  }

  // Every name of the namespace → ID, sorted by name.
  async list(ns: string): Promise<Map<string, string>> {
    return this.locked(ns, async (tx) => {
      const out = new Map<string, string>();
      for (const name of (await tx.list()).filter(isIdentifier)) {
        const holder = await this.holder(tx, name);
        if (holder !== undefined) out.set(name, holder);
      }
      return out;
    });
  }

  // nerdctl trims when comparing (its Release/Rename use TrimSpace on the file content).
  private async holder(tx: LockedStore, name: string): Promise<string | undefined> {
    const bytes = await tx.get(name);
    return bytes === undefined ? undefined : bytes.toString('utf8').trim();
  }

  private locked<T>(ns: string, fn: (tx: LockedStore) => Promise<T>): Promise<T> {
    return withStore('name store', this.opts.layout.namesRoot(ns), this.opts.lockTimeoutMs, fn);
  }

}
