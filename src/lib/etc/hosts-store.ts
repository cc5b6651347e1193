// The hosts store `etchosts/<ns>/<id>/{hosts,meta.json}` under a flock on `etchosts/<ns>`
// that interoperates with nerdctl. Unlike nerdctl, an event rewrites only the hosts files of containers
// sharing a network with the changed one, and only when their content changes.
import { statSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { NerdnetError } from '../errors.js';
import { faultPoint } from '../fault.js';
import { withStore } from '../store/json-store.js';
import type { LockedStore } from '../store/json-store.js';
import { isIdentifier, validateIdentifier } from '../store/layout.js';
import type { DataStoreLayout } from '../store/layout.js';
import { compareByID, HostsBlockRenderer, indexAddresses } from './hosts-file.js';
import { indexEntryOf, loadHostsIndex, saveHostsIndex, statSignature, trustedEntry } from './hosts-index.js';
import type { IndexedEntry, LoadedIndex } from './hosts-index.js';
import { makeHostsMeta, metaNetworks, parseHostsMeta, serializeHostsMeta } from './hosts-meta.js';
import type { ContainerHostsInfo, HostsMeta } from './hosts-meta.js';
import { readSmallSync, updateInPlaceSync, writeInPlace } from './in-place.js';
import { noLogger } from './types.js';
import type { Logger } from './types.js';

const META = 'meta.json';
const HOSTS = 'hosts';
// What an event reads of a container's own, writable hosts file at most: the container can grow it
// without bound, and every peer's start would copy it.
export const HOSTS_FILE_CAP = 1024 * 1024;
// Beside `hosts`: the container was warned about its file over the cap (once, across processes).
const OVER_CAP_MARKER = 'hosts.over-cap';

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

// Whose hosts files an event rewrites: one container and every container on `networks`, or all.
type Target = { self?: string; networks: ReadonlySet<string> } | 'all';

function isTarget(target: Target, id: string, networks: readonly string[]): boolean {
  return target === 'all' || id === target.self || networks.some((n) => target.networks.has(n));
}

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
      return this.regenerate(tx, input.ns, { self: meta.ID, networks: affected });
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
      return { released: true, ...(await this.regenerate(tx, ns, peersOf(old))) };
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
      return this.regenerate(tx, ns, { self: id, networks: new Set(metaNetworks(meta)) });
    });
  }

  // rm: remove the whole entry. If it still had a meta.json, its peers are regenerated too.
  async delete(ns: string, id: string): Promise<RegenerationReport> {
    validateIdentifier('container ID', id);
    return this.locked(ns, async (tx) => {
      const hadMeta = await tx.exists(id, META);
      const old = hadMeta ? await this.readMeta(tx, id) : undefined;
      await tx.delete(id);
      return hadMeta ? this.regenerate(tx, ns, peersOf(old)) : emptyReport();
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
    return this.locked(ns, (tx) => this.regenerate(tx, ns, 'all'));
  }

  private locked<T>(ns: string, fn: (tx: LockedStore) => Promise<T>): Promise<T> {
    return withStore('hosts store', this.opts.layout.etchostsRoot(ns), this.opts.lockTimeoutMs, fn);
  }


  // A record, or undefined when missing or unusable (warned).
  private async readMeta(tx: LockedStore, id: string): Promise<HostsMeta | undefined> {
    const got = this.loadMeta(tx, id);
    return typeof got === 'string' ? undefined : got;
  }

  private loadMeta(tx: LockedStore, id: string, onStat?: (st: Stats) => void): HostsMeta | 'missing' | 'corrupt' {
    let bytes: Buffer;
    try {
      // Synchronous: one small file per container, read in a loop (see updateInPlaceSync).
      bytes = readSmallSync(tx.location(id, META), onStat);
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

  // Phase 1 over the records the targets can see, phase 2 over the targets; per-entry write errors
  // are logged. The index (hosts-index.ts) spares reading the records on other networks.
  private async regenerate(tx: LockedStore, ns: string, target: Target): Promise<RegenerationReport> {
    const indexPath = this.opts.layout.hostsIndexPath(ns);
    const index = loadHostsIndex(indexPath);
    const { read, next, skipped, refresh } = this.readNeeded(tx, (await tx.list()).filter(isIdentifier), index, target);
    const metas = [...read.values()].sort(compareByID);
    const renderer = new HostsBlockRenderer(indexAddresses(metas));
    const report: RegenerationReport = { rewritten: [], unchanged: [], skipped };
    for (const meta of metas) {
      if (!isTarget(target, meta.ID, metaNetworks(meta))) continue;
      const path = tx.location(meta.ID, HOSTS);
      try {
        let overCap = false;
        const render = (current: string, over: boolean): string => {
          overCap = over;
          return renderer.file(current, meta, over ? HOSTS_FILE_CAP : undefined);
        };
        const changed = updateInPlaceSync(path, render, { maxBytes: HOSTS_FILE_CAP });
        if (overCap) this.warnOverCap(tx, meta.ID, path);
        if (!changed) {
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
    const failed = saveHostsIndex(indexPath, next, index, refresh);
    if (failed) this.log('warn', `hosts store: cannot save the index ${indexPath} (the next event reads every meta.json): ${failed}`);
    report.skipped.sort();
    return report;
  }

  // The first time only: the marker file is created exclusively, so a later event (any process) that
  // finds it stays quiet.
  private warnOverCap(tx: LockedStore, id: string, path: string): void {
    try {
      writeFileSync(tx.location(id, OVER_CAP_MARKER), `${new Date().toISOString()} ${path} was over ${HOSTS_FILE_CAP} bytes\n`, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    }
    const cap = `${HOSTS_FILE_CAP / (1024 * 1024)} MiB`;
    this.log('warn', `hosts store: ${path} (container ${id}) is over ${cap}: only its first ${cap} is read, its lines past that are dropped and the <nerdctl> block is written after the rest (warned once per container)`);
  }

  // Reads the records an event needs: the targets and every container on one of their networks (a
  // hosts file lists nothing else). The other indexed records are only stat'ed; one found changed is
  // read, and may widen what is needed, so passes repeat until none reads a changed record.
  // `next` is what the index will hold: every record read, and every indexed one verified unchanged.
  private readNeeded(tx: LockedStore, ids: readonly string[], index: LoadedIndex, target: Target): NeededRecords {
    const out: NeededRecords = { read: new Map(), next: new Map(), skipped: [], refresh: false };
    const done = new Set<string>();
    const readOne = (id: string): void => {
      done.add(id);
      let sig = '';
      const got = this.loadMeta(tx, id, (st) => (sig = statSignature(st)));
      if (got === 'corrupt') out.skipped.push(id);
      else if (got !== 'missing') {
        out.read.set(id, got);
        out.next.set(id, indexEntryOf(got, sig));
      }
    };
    for (const id of ids) if (!index.entries.has(id)) readOne(id);
    for (let again = true; again; ) {
      again = false;
      const needed = new Set<string>();
      for (const meta of out.read.values()) if (isTarget(target, meta.ID, metaNetworks(meta))) for (const n of metaNetworks(meta)) needed.add(n);
      for (const id of ids) {
        const entry = done.has(id) ? undefined : (out.next.get(id) ?? index.entries.get(id));
        if (!entry) continue;
        if (isTarget(target, id, entry.networks) || entry.networks.some((n) => needed.has(n))) {
          readOne(id);
          const meta = out.read.get(id);
          again ||= meta !== undefined && isTarget(target, id, metaNetworks(meta));
        } else if (!out.next.has(id)) {
          const st = statMeta(tx, id);
          if (!st) done.add(id);
          else if (trustedEntry(index, id, st)) out.next.set(id, entry);
          else {
            out.refresh ||= entry.sig === statSignature(st);
            readOne(id);
            again = true;
          }
        }
      }
    }
    return out;
  }
}

interface NeededRecords {
  read: Map<string, HostsMeta>;
  next: Map<string, IndexedEntry>;
  // Records whose meta.json could not be used.
  skipped: string[];
  // Racy entries were read and found unchanged: rewrite the index so they count next time.
  refresh: boolean;
}

// meta.json's stat, or undefined when the entry has none (stopped container, stray file).
function statMeta(tx: LockedStore, id: string): Stats | undefined {
  try {
    return statSync(tx.location(id, META));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

// Targets after `old` went away: its peers, or everyone when its record was unreadable.
function peersOf(old: HostsMeta | undefined): Target {
  return old ? { networks: new Set(metaNetworks(old)) } : 'all';
}

function emptyReport(): RegenerationReport {
  return { rewritten: [], unchanged: [], skipped: [] };
}
