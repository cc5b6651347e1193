// The create journal `nerdnet/creating/<ns>/<id>.json`: written before a create makes anything and
// removed once nerdnet.json is written. It names the creating process (PID, start time, boot), so a
// create that was killed is told from one still running without trusting a recycled PID, and holds
// the planned record, so rm and gc know what the half-made container may hold (name, provider, runtime).
import { readdir, rm } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import { identityAlive, selfIdentity, type ProcessIdentity } from '../host/process-identity.js';
import { writeFileAtomic } from '../store/atomic.js';
import { readTextIfExists } from '../store/read-optional.js';
import type { DataStoreLayout } from '../store/layout.js';
import type { ContainerRecord } from './types.js';

export interface CreateJournal {
  version: 1;
  creator: ProcessIdentity;
  record: ContainerRecord;
}

const JOURNAL = /^([0-9a-f]{64})\.json$/;
// writeFileAtomic's temp file, suffixed with the writer's identity: `.tmp-<id>.json.<pid>-<start>-<boot>`.
const JOURNAL_TMP = /^\.tmp-([0-9a-f]{64})\.json\.(\d+)-(\d+)-([0-9a-f-]+)$/;

export class CreateJournals {
  constructor(
    private readonly layout: DataStoreLayout,
    private readonly ns: string,
  ) {}

  path(id: string): string {
    return this.layout.createJournalPath(this.ns, id);
  }

  async begin(rec: ContainerRecord): Promise<void> {
    const creator = await selfIdentity();
    const journal: CreateJournal = { version: 1, creator, record: rec };
    await writeFileAtomic(this.path(rec.id), `${JSON.stringify(journal)}\n`, { mode: 0o600, tmpSuffix: `${creator.pid}-${creator.startTime}-${creator.bootId}` });
  }

  async end(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  // Undefined when there is none; a journal that cannot be parsed is an error naming the file.
  async read(id: string): Promise<CreateJournal | undefined> {
    const path = this.path(id);
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    try {
      const j = JSON.parse(text) as CreateJournal;
      if (typeof j.creator?.pid !== 'number' || typeof j.record?.id !== 'string') throw new Error('no creator or record');
      return j;
    } catch (err) {
      throw new NerdnetError('ERR_INVALID_CONFIG', `create journal ${path} is unreadable (${(err as Error).message})`);
    }
  }

  // IDs with a journal, and the temp files of journals whose writer died before the rename.
  async scan(): Promise<{ ids: string[]; temps: Array<{ file: string; id: string; writer: ProcessIdentity }> }> {
    const root = this.layout.createJournalRoot(this.ns);
    const names = await readdir(root).catch(() => [] as string[]);
    const ids: string[] = [];
    const temps: Array<{ file: string; id: string; writer: ProcessIdentity }> = [];
    for (const n of names.sort()) {
      const j = JOURNAL.exec(n);
      if (j?.[1]) ids.push(j[1]);
      const t = JOURNAL_TMP.exec(n);
      if (t?.[1]) temps.push({ file: `${root}/${n}`, id: t[1], writer: { pid: Number(t[2]), startTime: t[3] ?? '', bootId: t[4] ?? '' } });
    }
    return { ids, temps };
  }
}

// Whether the create that wrote `j` still runs.
export function creatorAlive(j: CreateJournal): Promise<boolean> {
  return identityAlive(j.creator);
}
