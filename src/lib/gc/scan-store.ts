// Facts from nerdnet's (and nerdctl's) data store and run dir: hosts-store entries, names, port
// reserver pid files, container state dirs. Read-only, without locks (release re-checks under them).
import { reserverPidFile } from '../attachment/reserver.js';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateJournals } from '../container/create-journal.js';
import { parseHostsMeta } from '../etc/hosts-meta.js';
import type { ProcessIdentity } from '../host/process-identity.js';
import { isIdentifier } from '../store/layout.js';
import type { DataStoreLayout } from '../store/layout.js';
import { ownerOf } from './liveness.js';
import type { Owner } from './types.js';

const ID = /^[0-9a-f]{64}$/;

async function dirNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(isIdentifier).sort();
  } catch {
    return [];
  }
}

// Namespaces with anything in the store or the run dir.
export async function storeNamespaces(layout: DataStoreLayout, runDir: string): Promise<string[]> {
  const found = new Set<string>();
  for (const sub of ['containers', 'etchosts', 'names', 'nerdnet/creating', 'nerdnet/removing']) for (const ns of await dirNames(join(layout.root, sub))) found.add(ns);
  for (const ns of await dirNames(runDir)) found.add(ns);
  return [...found].sort();
}

export interface HostsFact {
  owner: Owner;
  // meta.json present (the container counted as running); cni = it lists CNI networks.
  meta: 'none' | 'cni' | 'other' | 'unreadable';
}

export async function hostsFacts(layout: DataStoreLayout, ns: string): Promise<HostsFact[]> {
  const out: HostsFact[] = [];
  for (const id of (await dirNames(layout.etchostsRoot(ns))).filter((n) => ID.test(n))) {
    let meta: HostsFact['meta'] = 'none';
    const path = layout.hostsMetaPath(ns, id);
    if (existsSync(path)) {
      try {
        const m = parseHostsMeta(await readFile(path), path);
        meta = m.Networks && Object.keys(m.Networks).length > 0 ? 'cni' : 'other';
      } catch {
        meta = 'unreadable';
      }
    }
    out.push({ owner: ownerOf(ns, id), meta });
  }
  return out;
}

export interface NameFact {
  owner: Owner;
  name: string;
}

export async function nameFacts(layout: DataStoreLayout, ns: string): Promise<NameFact[]> {
  const out: NameFact[] = [];
  for (const name of await dirNames(layout.namesRoot(ns))) {
    const id = (await readFile(join(layout.namesRoot(ns), name), 'utf8').catch(() => '')).trim();
    if (ID.test(id)) out.push({ owner: ownerOf(ns, id), name });
  }
  return out;
}

export interface StateDirFact {
  owner: Owner;
  dir: string;
  // nerdnet.json present: a nerdnet container (its record decides).
  record: boolean;
  // bundle/ present: nerdnet's create got that far (nerdctl never writes one here).
  bundle: boolean;
  // A create journal names it: nerdnet's create made it (liveness tells whether that create still runs).
  journal: boolean;
}

export async function stateDirFacts(layout: DataStoreLayout, ns: string): Promise<StateDirFact[]> {
  return (await dirNames(layout.containersRoot(ns)))
    .filter((n) => ID.test(n))
    .map((id) => {
      const dir = layout.stateDir(ns, id);
      return { owner: ownerOf(ns, id), dir, record: existsSync(join(dir, 'nerdnet.json')), bundle: existsSync(join(dir, 'bundle')), journal: existsSync(layout.createJournalPath(ns, id)) };
    });
}

export interface JournalFact {
  owner: Owner;
  file: string;
  // Set for the temp file of a journal whose writer may have died before renaming it.
  writer?: ProcessIdentity;
}

// Create journals `nerdnet/creating/<ns>/<id>.json` and their temp files.
export async function journalFacts(layout: DataStoreLayout, ns: string): Promise<JournalFact[]> {
  const { ids, temps } = await new CreateJournals(layout, ns).scan();
  return [...ids.map((id) => ({ owner: ownerOf(ns, id), file: layout.createJournalPath(ns, id) })), ...temps.map((t) => ({ owner: ownerOf(ns, t.id), file: t.file, writer: t.writer }))];
}

export interface RemovingFact {
  owner: Owner;
  dir: string;
}

// State dirs an interrupted rm renamed to `nerdnet/removing/<ns>/<id>`.
export async function removingFacts(layout: DataStoreLayout, ns: string): Promise<RemovingFact[]> {
  return (await dirNames(layout.removingRoot(ns))).filter((n) => ID.test(n)).map((id) => ({ owner: ownerOf(ns, id), dir: layout.removingDir(ns, id) }));
}

export interface ReserverFact {
  owner: Owner;
  pidFile: string;
  pid?: number;
}

// Each container's port reserver pid file under the run dir (nerdctl's layout).
export async function reserverFacts(runDir: string, ns: string): Promise<ReserverFact[]> {
  const out: ReserverFact[] = [];
  for (const id of (await dirNames(join(runDir, ns))).filter((n) => ID.test(n))) {
    const pidFile = reserverPidFile(runDir, ns, id);
    if (!existsSync(pidFile)) continue;
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    const fact: ReserverFact = { owner: ownerOf(ns, id), pidFile };
    if (/^\s*\d+\s*$/.test(text)) fact.pid = Number(text);
    out.push(fact);
  }
  return out;
}

// Mount points at or under `dir` (an image rootfs): such a dir is never removed recursively.
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return info
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}
