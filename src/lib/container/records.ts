// Container records in nerdctl's state dirs `<dataStore>/containers/<ns>/<id>/`: nerdnet's
// own metadata is nerdnet.json beside nerdctl's files; name/ID/prefix lookup as Docker does it.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';
import { readTextIfExists } from '../store/read-optional.js';
import { withLock } from '../store/flock.js';
import { NameStore } from '../etc/name-store.js';
import { isIdentifier } from '../store/layout.js';
import type { DataStoreLayout } from '../store/layout.js';
import type { RuntimeFiles } from '../runtime/types.js';
import { creatorAlive, CreateJournals } from './create-journal.js';
import type { ContainerRecord, StandIn } from './types.js';

const RECORD = 'nerdnet.json';

// Where one container's files live: those its runtime uses, its record and its lock.
export interface ContainerPaths extends RuntimeFiles {
  record: string;
  // nerdnet's per-container lock (not the directory itself: the hook flocks that).
  lock: string;
}

export function containerPaths(layout: DataStoreLayout, ns: string, id: string): ContainerPaths {
  const stateDir = layout.stateDir(ns, id);
  return {
    stateDir,
    record: join(stateDir, RECORD),
    bundle: join(stateDir, 'bundle'),
    exitFile: join(stateDir, 'exit.json'),
    runcLog: join(stateDir, 'runc.log'),
    initPid: join(stateDir, 'runc.pid'),
    log: join(stateDir, `${id}.log`),
    stdinFifo: join(stateDir, 'stdin.fifo'),
    autoRemoveLog: join(stateDir, 'autoremove.log'),
    lock: join(stateDir, '.nerdnet.lock'),
  };
}

export class ContainerRecords {
  constructor(
    readonly layout: DataStoreLayout,
    readonly ns: string,
  ) {}

  paths(id: string): ContainerPaths {
    return containerPaths(this.layout, this.ns, id);
  }

  async read(id: string): Promise<ContainerRecord | undefined> {
    const text = await readTextIfExists(this.paths(id).record);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as ContainerRecord;
    } catch (err) {
      throw new NerdnetError('ERR_INVALID_CONFIG', `${this.paths(id).record} is not valid JSON (${(err as Error).message})`, { remedy: { kind: 'force-remove', container: id } });
    }
  }

  async write(rec: ContainerRecord): Promise<void> {
    await writeFileAtomic(this.paths(rec.id).record, `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o600 });
  }

  // The record, or a stand-in where nerdnet.json is unreadable or a create journal has none yet;
  // undefined for a state dir that is not nerdnet's (nerdctl's) and an ID nothing knows.
  async entry(id: string, nameOf?: (id: string) => Promise<string>): Promise<ContainerRecord | undefined> {
    try {
      const rec = await this.read(id);
      if (rec) return rec;
    } catch (err) {
      return this.corrupt(id, (err as Error).message, nameOf);
    }
    let journal;
    try {
      journal = await new CreateJournals(this.layout, this.ns).read(id);
    } catch (err) {
      return this.corrupt(id, (err as Error).message, nameOf);
    }
    if (!journal) return undefined;
    const pid = journal.creator.pid;
    const standIn: StandIn = (await creatorAlive(journal))
      ? { kind: 'half-made', reason: `being created by process ${pid}`, creating: true }
      : { kind: 'half-made', reason: `its create was interrupted (process ${pid} is gone)` };
    return { ...journal.record, standIn };
  }

  // A stand-in for an unreadable record: what the name store and the file's mtime still tell.
  private async corrupt(id: string, reason: string, nameOf = (i: string) => this.nameOf(i)): Promise<ContainerRecord> {
    const mtime = await stat(this.paths(id).record).then((s) => s.mtime.toISOString(), () => new Date(0).toISOString());
    return {
      version: 1,
      id,
      name: await nameOf(id).catch(() => ''),
      namespace: this.ns,
      created: mtime,
      image: '',
      rootfs: { kind: 'dir', path: '' },
      path: '',
      args: [],
      config: { env: [], workdir: '/', tty: false, interactive: false, user: '', hostname: '', domainname: '', labels: {}, cmd: [], entrypoint: [] },
      hostConfig: { autoRemove: false, readOnly: false, networkMode: '', mounts: [] },
      network: { networks: [], dns: [], dnsSearch: [], dnsOpt: [], addHost: [], publish: [] },
      provider: '',
      annotations: {},
      runtime: { binary: '' },
      state: { phase: 'created' },
      standIn: { kind: 'corrupt', reason },
    };
  }

  // The name the name store gives `id` ('' when none).
  private async nameOf(id: string): Promise<string> {
    for (const [name, holder] of await new NameStore({ layout: this.layout }).list(this.ns)) if (holder === id) return name;
    return '';
  }

  // Every nerdnet container of the namespace (state dirs without nerdnet.json are nerdctl's), by
  // creation; unreadable records and interrupted creates as stand-ins, creates in progress left out.
  async list(): Promise<ContainerRecord[]> {
    let ids: string[];
    try {
      ids = (await readdir(this.layout.containersRoot(this.ns))).filter(isIdentifier);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      ids = [];
    }
    const journaled = (await new CreateJournals(this.layout, this.ns).scan()).ids;
    let names: Promise<Map<string, string>> | undefined;
    const nameOf = async (id: string): Promise<string> => {
      names ??= new NameStore({ layout: this.layout }).list(this.ns);
      return [...(await names).entries()].find(([, holder]) => holder === id)?.[0] ?? '';
    };
    const recs = await Promise.all([...new Set([...ids, ...journaled])].map((id) => this.entry(id, nameOf)));
    return recs.filter((r): r is ContainerRecord => r !== undefined && !r.standIn?.creating).sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  // Docker's lookup order: full ID, exact name, then a unique ID prefix.
  async resolve(ref: string): Promise<ContainerRecord> {
    if (ref === '') throw new NerdnetError('ERR_INVALID_ARG', 'container name or ID is empty', { remedy: { kind: 'give-container' } });
    const direct = await this.resolveDirect(ref);
    if (direct) return direct;
    const all = await this.list();
    const match = all.find((r) => r.id === ref) ?? all.find((r) => r.name === ref);
    if (match) return match;
    const prefixed = /^[0-9a-f]+$/.test(ref) ? all.filter((r) => r.id.startsWith(ref)) : [];
    if (prefixed.length === 1 && prefixed[0]) return prefixed[0];
    if (prefixed.length > 1) {
      throw new NerdnetError('ERR_INVALID_ARG', `multiple containers match the ID prefix "${ref}" (${prefixed.map((r) => r.name).join(', ')}); give more characters of the ID or the name`);
    }
    throw new NerdnetError('ERR_NOT_FOUND', `no such container: ${ref} (namespace "${this.ns}")`, { remedy: { kind: 'list-containers' } });
  }

  // The full-ID or exact-name match without reading every record (rm of one container among
  // hundreds, --rm's monitor): the ID's own record, or the one the name store names. Undefined
  // sends resolve to the full scan, which also covers records without a name store entry.
  private async resolveDirect(ref: string): Promise<ContainerRecord | undefined> {
    if (!isIdentifier(ref)) return undefined;
    const byId = /^[0-9a-f]{64}$/.test(ref) ? await this.entry(ref).catch(() => undefined) : undefined;
    if (byId?.id === ref) return byId;
    const holder = await new NameStore({ layout: this.layout }).lookup(this.ns, ref).catch(() => undefined);
    if (holder === undefined || !isIdentifier(holder)) return undefined;
    const byName = await this.entry(holder, async () => ref).catch(() => undefined);
    return byName?.id === holder && byName.name === ref ? byName : undefined;
  }

  // Serialise state changes of one container (start/rm) across processes.
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.paths(id).lock, fn);
  }
}

// Names of the namespace's containers made from image `imageId` (for `image rm`'s in-use check).
export async function containersUsingImage(layout: DataStoreLayout, ns: string, imageId: string): Promise<string[]> {
  const recs = await new ContainerRecords(layout, ns).list();
  return recs.filter((r) => r.rootfs.kind === 'image' && r.rootfs.imageId === imageId).map((r) => r.name);
}
