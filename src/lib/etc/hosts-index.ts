// nerdnet's index of a namespace's hosts store: for each container, the stat signature of its
// meta.json and its networks. With it an event reads only the meta.json of containers on the networks
// it touches; the others are only stat'ed. nerdctl does not know the index, so nothing is
// trusted on its word: an entry counts only while its meta.json has the same inode, size, mtime and
// ctime as when indexed, and was changed before the index was written (a change in the same clock
// tick could keep every stamp, git's "racy" case); anything else is read again. Read and written only
// under the hosts store's lock; a missing or damaged index is rebuilt, never an error.
import { mkdirSync, utimesSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { isPlainObject } from '../json-shape.js';
import type { HostsMeta } from './hosts-meta.js';
import { readSmallSync, updateInPlaceSync } from './in-place.js';

const VERSION = 1;

export interface IndexedEntry {
  // statSignature() of meta.json when it was read.
  sig: string;
  // The record's network names, sorted.
  networks: string[];
}

export interface LoadedIndex {
  entries: Map<string, IndexedEntry>;
  // ctime of the index file itself (0 when there was none): entries changed at or after it are racy.
  savedCtimeMs: number;
  // The file's text, to skip rewriting an unchanged index.
  text: string;
}

export function statSignature(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

// The indexed entry when it still describes the meta.json stat'ed as `st`, else undefined.
export function trustedEntry(index: LoadedIndex, id: string, st: Stats): IndexedEntry | undefined {
  const entry = index.entries.get(id);
  return entry && entry.sig === statSignature(st) && st.ctimeMs < index.savedCtimeMs ? entry : undefined;
}

// What the index keeps of a record: its networks, which decide whether an event must read it (a
// hosts file lists only the containers on its own networks).
export function indexEntryOf(meta: HostsMeta, sig: string): IndexedEntry {
  return { sig, networks: Object.keys(meta.Networks ?? {}).sort() };
}

function parseEntries(text: string): Map<string, IndexedEntry> {
  const entries = new Map<string, IndexedEntry>();
  const raw: unknown = JSON.parse(text);
  if (!isPlainObject(raw) || raw.version !== VERSION || !isPlainObject(raw.entries)) return entries;
  for (const [id, e] of Object.entries(raw.entries)) {
    if (!isPlainObject(e) || typeof e.sig !== 'string' || !Array.isArray(e.networks) || !e.networks.every((n) => typeof n === 'string')) continue;
    entries.set(id, { sig: e.sig, networks: e.networks });
  }
  return entries;
}

export function loadHostsIndex(path: string): LoadedIndex {
  try {
    let savedCtimeMs = 0;
    const text = readSmallSync(path, (st) => (savedCtimeMs = st.ctimeMs), true).toString('utf8');
    return { entries: parseEntries(text), savedCtimeMs, text };
  } catch {
    return { entries: new Map(), savedCtimeMs: 0, text: '' };
  }
}

// Write the index in place (no fsync, no rename: it is a cache, rewritten at every event, and ext4
// flushes a file renamed over another). Only lock holders read it, so a rewrite is never seen half
// done; a crash in the middle leaves text that does not parse, which rebuilds it. Returns an error
// message instead of throwing: a start must not fail because its shortcut could not be saved.
// Unchanged text is not rewritten unless `refresh` (entries that were racy become trusted once the
// index is newer than them).
export function saveHostsIndex(path: string, entries: ReadonlyMap<string, IndexedEntry>, previous: LoadedIndex, refresh: boolean): string | undefined {
  const sorted = [...entries.keys()].sort();
  const text = JSON.stringify({ version: VERSION, entries: Object.fromEntries(sorted.map((id) => [id, entries.get(id)])) });
  if (text === previous.text && !refresh) return undefined;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Same text: its ctime must still move past the racy entries' (utimes sets ctime to now).
    if (!updateInPlaceSync(path, () => text, { mode: 0o600 })) utimesSync(path, new Date(), new Date());
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
