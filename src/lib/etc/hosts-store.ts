// The hosts store `etchosts/<ns>/<id>/{hosts,meta.json}` (spec 5.2-5.4) under a flock on `etchosts/<ns>`
// that interoperates with nerdctl. Unlike nerdctl, an event rewrites only the hosts files of containers
// sharing a network with the changed one, and only when their content changes.
import { NerdnetError } from '../errors.js';
import { faultPoint } from '../fault.js';
import { withStore } from '../store/json-store.js';
import type { LockedStore } from '../store/json-store.js';
import { isIdentifier, validateIdentifier } from '../store/layout.js';
import type { DataStoreLayout } from '../store/layout.js';
import { HostsBlockRenderer, indexAddresses, sharesNetwork } from './hosts-file.js';
import { makeHostsMeta, metaNetworks, parseHostsMeta, serializeHostsMeta } from './hosts-meta.js';
import type { ContainerHostsInfo, HostsMeta } from './hosts-meta.js';
import { readSmallSync, updateInPlaceSync, writeInPlace } from './in-place.js';
import { noLogger } from './types.js';
import type { Logger } from './types.js';

const META = 'meta.json';
const HOSTS = 'hosts';

export interface HostsStoreOptions {
  layout: DataStoreLayout;
  logger?: Logger;
  lockTimeoutMs?: number;
}

// Which hosts files one event touched (IDs, sorted).
export interface RegenerationReport {
  rewritten: string[];
  unchanged: string[];
  // Entries whose meta.json could not be used (logged as warnings).
  skipped: string[];
}

export interface AcquireInput {
  ns: string;
  id: string;
  meta: ContainerHostsInfo;
}

type Target = (meta: HostsMeta) => boolean;

export class HostsStore {
  private readonly log: Logger;

  constructor(private readonly opts: HostsStoreOptions) {
    this.log = opts.logger ?? noLogger;
  }

  // etchosts/<ns>/<id>/hosts, the file bind-mounted at /etc/hosts.
  hostsPath(ns: string, id: string): string {
    return this.opts.layout.hostsPath(ns, id);
  }

  // Create-time: write `hosts` = content (empty for CNI/none, the host's /etc/hosts for host/ns).
  async allocHostsFile(ns: string, id: string, content = ''): Promise<string> {
    validateIdentifier('container ID', id);
    return this.locked(ns, async (tx) => {
      await tx.ensureGroup(id);
      const path = tx.location(id, HOSTS);
      await writeInPlace(path, content);
      return path;
    });
  }

  // Record a running container (hook createRuntime after CNI ADD; create for host/none/ns), then
  // regenerate its own file and those of peers on its old or new networks.
  async acquire(input: AcquireInput): Promise<RegenerationReport> {
    const meta = makeHostsMeta(input.id, input.meta);
    return this.locked(input.ns, async (tx) => {
      await tx.ensureGroup(meta.ID);
      // Never overwrite an existing hosts file (host mode content, issue #3907).
      if (!(await tx.exists(meta.ID, HOSTS))) await writeInPlace(tx.location(meta.ID, HOSTS), '');
      const old = await this.readMeta(tx, meta.ID);
      await tx.set(serializeHostsMeta(meta), meta.ID, META);
      const affected = new Set([...metaNetworks(meta), ...(old ? metaNetworks(old) : [])]);
      return this.regenerate(tx, (m) => m.ID === meta.ID || sharesNetwork(m, affected));
    });
  }

  // Forget a stopped container (hook postStop, rm for host/none): meta.json goes, `hosts` stays for a
  // restart. Idempotent: a missing entry is not an error (nerdctl fails the hook).
  async release(ns: string, id: string): Promise<RegenerationReport & { released: boolean }> {
    validateIdentifier('container ID', id);
    return this.locked(ns, async (tx) => {
      if (!(await tx.exists(id, META))) return { released: false, ...emptyReport() };
      const old = await this.readMeta(tx, id);
      await tx.delete(id, META);
      return { released: true, ...(await this.regenerate(tx, peersOf(old))) };
    });
  }

  // Rename: set Name, then regenerate the container and its peers.
  async update(ns: string, id: string, newName: string): Promise<RegenerationReport> {
    validateIdentifier('container ID', id);
    validateIdentifier('container name', newName);
    return this.locked(ns, async (tx) => {
      const bytes = await tx.get(id, META);
      if (bytes === undefined) throw new NerdnetError('ERR_NOT_FOUND', `container ${id} has no hosts store entry in namespace ${ns}; is it running?`);
      const meta = { ...parseHostsMeta(bytes, tx.location(id, META)), ID: id, Name: newName };
      await tx.set(serializeHostsMeta(meta), id, META);
      const networks = new Set(metaNetworks(meta));
      return this.regenerate(tx, (m) => m.ID === id || sharesNetwork(m, networks));
    });
  }

  // rm: remove the whole entry. If it still had a meta.json, its peers are regenerated too.
  async delete(ns: string, id: string): Promise<RegenerationReport> {
    validateIdentifier('container ID', id);
    return this.locked(ns, async (tx) => {
      const hadMeta = await tx.exists(id, META);
      const old = hadMeta ? await this.readMeta(tx, id) : undefined;
      await tx.delete(id);
      return hadMeta ? this.regenerate(tx, peersOf(old)) : emptyReport();
    });
  }

  // The record of one container, or undefined when it has none (stopped or never started).
  async get(ns: string, id: string): Promise<HostsMeta | undefined> {
    validateIdentifier('container ID', id);
    return this.locked(ns, (tx) => this.readMeta(tx, id));
  }

  // All usable records of a namespace, by ID.
  async list(ns: string): Promise<HostsMeta[]> {
    return this.locked(ns, async (tx) => (await this.readAll(tx)).metas);
  }

  // Rewrite every entry whose content is stale (repair; nerdctl's updateAllHosts, minus needless writes).
  async regenerateAll(ns: string): Promise<RegenerationReport> {
    return this.locked(ns, (tx) => this.regenerate(tx, () => true));
  }

  private locked<T>(ns: string, fn: (tx: LockedStore) => Promise<T>): Promise<T> {
    return withStore('hosts store', this.opts.layout.etchostsRoot(ns), this.opts.lockTimeoutMs, fn);
  }


  // A record, or undefined when missing or unusable (warned).
  private async readMeta(tx: LockedStore, id: string): Promise<HostsMeta | undefined> {
    const got = this.loadMeta(tx, id);
    return typeof got === 'string' ? undefined : got;
  }

  private loadMeta(tx: LockedStore, id: string): HostsMeta | 'missing' | 'corrupt' {
    let bytes: Buffer;
    try {
      // Synchronous: one small file per container, read in a loop (see updateInPlaceSync).
      bytes = readSmallSync(tx.location(id, META));
    } catch (err) {
      // Gone, or `id` is a stray file, not an entry directory.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
      throw err;
    }
    try {
      const meta = parseHostsMeta(bytes, tx.location(id, META));
      if (meta.ID !== '' && meta.ID !== id) throw new NerdnetError('ERR_INVALID_CONFIG', `${tx.location(id, META)}: ID ${JSON.stringify(meta.ID)} does not match its directory`);
      return { ...meta, ID: id };
    } catch (err) {
      this.log('warn', `hosts store: skipping container ${id}: ${(err as Error).message}`);
      return 'corrupt';
    }
  }

  private async readAll(tx: LockedStore): Promise<{ metas: HostsMeta[]; skipped: string[] }> {
    const metas: HostsMeta[] = [];
    const skipped: string[] = [];
    // Names that are not container IDs (editor leftovers, lock files) are not entries.
    for (const id of (await tx.list()).filter(isIdentifier)) {
      const got = this.loadMeta(tx, id);
      if (got === 'corrupt') skipped.push(id);
      else if (got !== 'missing') metas.push(got);
    }
    return { metas, skipped };
  }

  // Phase 1 over every record, phase 2 only over the targets; per-entry write errors are logged.
  private async regenerate(tx: LockedStore, target: Target): Promise<RegenerationReport> {
    const { metas, skipped } = await this.readAll(tx);
    const renderer = new HostsBlockRenderer(indexAddresses(metas));
    const report: RegenerationReport = { rewritten: [], unchanged: [], skipped };
    for (const meta of metas) {
      if (!target(meta)) continue;
      const path = tx.location(meta.ID, HOSTS);
      try {
        if (!updateInPlaceSync(path, (current) => renderer.file(current, meta))) {
          report.unchanged.push(meta.ID);
          continue;
        }
        report.rewritten.push(meta.ID);
        faultPoint('hosts-regenerate');
      } catch (err) {
        this.log('warn', `hosts store: cannot update ${path}: ${(err as Error).message}`);
        report.skipped.push(meta.ID);
      }
    }
    return report;
  }
}

// Targets after `old` went away: its peers, or everyone when its record was unreadable.
function peersOf(old: HostsMeta | undefined): Target {
  if (!old) return () => true;
  const networks = new Set(metaNetworks(old));
  return (m) => sharesNetwork(m, networks);
}

function emptyReport(): RegenerationReport {
  return { rewritten: [], unchanged: [], skipped: [] };
}
