// Is a container live? The collector's one question, answered conservatively: any sign of life wins,
// and a sign that cannot be read counts as life. Signs (docs/reliability.md "What counts as garbage"):
// a create journal whose process still runs, a nerdnet record whose container runs (runc state or its monitor), a runc state dir of a container
// nerdnet did not create (nerdctl/containerd, hook-only users), and a cached attachment whose network
// namespace still exists and is not the host's (a recycled PID of a host process does not count).
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CachedAttachment } from '../cni/cache.js';
import { creatorAlive, CreateJournals } from '../container/create-journal.js';
import { runtimeFor } from '../container/env.js';
import { ContainerRecords } from '../container/records.js';
import { observe } from '../container/status.js';
import { isIdentifier } from '../store/layout.js';
import type { GcEnv, Owner } from './types.js';

// containerd's runc root; its per-namespace dirs hold one state dir per running task.
export const CONTAINERD_RUNC_ROOT = '/run/containerd/runc';

const CNI_ID = /^(.+)-([0-9a-f]{64})$/;

// nerdctl's CNI container ID `<ns>-<64 hex>`; anything else is not ours to judge (undefined).
export function ownerOfCniID(cid: string): Owner | undefined {
  const m = CNI_ID.exec(cid);
  if (!m || !isIdentifier(m[1] ?? '')) return undefined;
  return { ns: m[1] ?? '', id: m[2] ?? '', cid };
}

export function ownerOf(ns: string, id: string): Owner {
  return { ns, id, cid: `${ns}-${id}` };
}

async function inode(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

// A namespace file that still exists and is not the one this process runs in (the host's).
async function netnsAlive(path: string, hostNetns: string | undefined): Promise<boolean> {
  const ino = await inode(path);
  return ino !== undefined && ino !== hostNetns;
}

export class Liveness {
  private constructor(private readonly reasons: ReadonlyMap<string, string>) {}

  // Why `owner` counts as live, or undefined when nothing says so.
  reason(owner: Owner): string | undefined {
    return this.reasons.get(owner.cid);
  }

  isLive(owner: Owner): boolean {
    return this.reasons.has(owner.cid);
  }

  static async build(env: GcEnv, owners: readonly Owner[], cache: readonly CachedAttachment[]): Promise<Liveness> {
    const hostNetns = await inode('/proc/self/ns/net');
    const reasons = new Map<string, string>();
    const unique = new Map(owners.map((o) => [o.cid, o]));
    for (const owner of unique.values()) {
      const why = await livenessOf(env, owner, cache.filter((a) => a.containerID === owner.cid), hostNetns);
      if (why) reasons.set(owner.cid, why);
    }
    return new Liveness(reasons);
  }
}

async function livenessOf(env: GcEnv, owner: Owner, entries: readonly CachedAttachment[], hostNetns: string | undefined): Promise<string | undefined> {
  for (const a of entries) {
    if (a.netns && (await netnsAlive(a.netns, hostNetns))) return `its network namespace ${a.netns} exists`;
  }
  const records = new ContainerRecords(env.layout, owner.ns);
  try {
    // Before the record: a create writes nerdnet.json a moment before it removes its journal.
    const journal = await new CreateJournals(env.layout, owner.ns).read(owner.id);
    if (journal && (await creatorAlive(journal))) return `it is being created (process ${journal.creator.pid})`;
    const rec = await records.read(owner.id);
    if (rec) {
      const state = await observe(rec, records.paths(owner.id), await runtimeFor(rec, env.runtimes));
      return state.running ? 'it is running' : undefined;
    }
  } catch (e) {
    return `its state cannot be read (${(e as Error).message})`;
  }
  // No record of ours: nerdctl, containerd or ctr made it; its runtime state dir means it exists.
  for (const root of env.foreignRuncRoots ?? [CONTAINERD_RUNC_ROOT]) {
    const dir = join(root, owner.ns, owner.id);
    if (existsSync(dir)) return `runc state ${dir} exists`;
  }
  return undefined;
}
