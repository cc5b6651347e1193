// Read an image archive (a tar, maybe gzip) once, copying each file to a staging directory while
// hashing it: `docker save` writes manifest.json last, so nothing can be decided before the end.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { NerdnetError } from '../errors.js';
import { AutoGunzip, digestHex } from './digest.js';
import { entryPath } from './safe-tree.js';

export interface StagedFile {
  // Path inside the archive, normalised (no leading "./").
  name: string;
  path: string;
  size: number;
  digest: string;
}

const BLOB = /^blobs\/sha256\/([a-f0-9]{64})$/;
const MAX_LINK_HOPS = 8;

export class StagedArchive {
  constructor(
    readonly source: string,
    private readonly files: Map<string, StagedFile>,
    // Symlinks and hard links between archive entries (old `docker save` links duplicate layers).
    private readonly links: Map<string, string>,
  ) {}

  get(name: string): StagedFile | undefined {
    let n = posix.normalize(name).replace(/^\.\//, '');
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      const file = this.files.get(n);
      if (file) return file;
      const next = this.links.get(n);
      if (next === undefined) return undefined;
      n = next;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  blob(digest: string): StagedFile | undefined {
    return this.get(`blobs/sha256/${digestHex(digest)}`);
  }

  async read(file: StagedFile): Promise<Buffer> {
    return readFile(file.path);
  }

  open(file: StagedFile): Readable {
    return createReadStream(file.path);
  }

  get entryCount(): number {
    return this.files.size + this.links.size;
  }
}

// tar-stream's messages, minus its advice to gunzip (gzip is already undone here).
export function tarProblem(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/^Invalid tar header/.test(msg)) return 'invalid tar header (corrupt, truncated, or not a tar file)';
  if (/unexpected end/i.test(msg)) return 'unexpected end of data (truncated file)';
  return msg;
}

export function archiveError(what: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', what);
}

// Copy every file of `source` (a path, or a stream such as stdin) into `stagingDir`.
export async function stageArchive(archive: string, input: Readable, stagingDir: string): Promise<StagedArchive> {
  const files = new Map<string, StagedFile>();
  const links = new Map<string, string>();
  const gunzip = new AutoGunzip();
  const tar = extract();
  const feeding = pipeline(input, gunzip, tar);
  feeding.catch(() => {});
  try {
    for await (const entry of tar) {
      const h = entry.header;
      const name = entryPath(h.name, 'archive');
      if (h.type === 'symlink' || h.type === 'link') {
        const target = h.type === 'link' || (h.linkname ?? '').startsWith('/') ? (h.linkname ?? '') : posix.join(posix.dirname(name), h.linkname ?? '');
        const norm = posix.normalize(target.replace(/^\/+/, ''));
        if (!norm.startsWith('..')) links.set(name, norm);
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        for await (const _c of entry) {
          // not a file: nothing to keep
        }
        continue;
      }
      const path = join(stagingDir, `f${files.size}`);
      const hash = createHash('sha256');
      let size = 0;
      const fh = await open(path, 'wx', 0o600);
      try {
        for await (const chunk of entry) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
          await fh.write(chunk as Buffer);
        }
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      const blob = BLOB.exec(name);
      // Every blob is checked against its own name here; descriptors are checked against blobs later.
      if (blob && blob[1] !== digestHex(digest)) {
        throw archiveError(`${name}: content has digest ${digest}, not the sha256:${blob[1]} its name says (corrupt or tampered archive)`);
      }
      files.set(name, { name, path, size, digest });
    }
    await feeding;
  } catch (err) {
    input.destroy();
    if (NerdnetError.is(err)) throw err;
    throw archiveError(`not a tar archive${gunzip.compressed ? ' (after gunzip)' : ''}: ${tarProblem(err)}`);
  }
  if (files.size === 0) throw archiveError('the archive holds no files: it is empty or not a tar archive');
  return new StagedArchive(archive, files, links);
}
