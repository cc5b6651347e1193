// containerd's content store: blobs by digest with labels (the garbage collector follows
// `containerd.io/gc.ref.*` labels). Writes go through the Write stream as containerd's remote
// writer does: data at increasing offsets, then COMMIT with the expected digest and size.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerdClient } from './client.js';
import { ContainerdError, isAlreadyExists, isNotFound } from './errors.js';
import type { Timestamp } from './types.js';

export interface ContentInfo {
  digest: string;
  size: number;
  labels: Record<string, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export async function contentInfo(client: ContainerdClient, digest: string): Promise<ContentInfo | undefined> {
  try {
    return (await client.unary<{ info: ContentInfo }>('content', 'Info', { digest })).info;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

// Set (merge) labels on an existing blob; other labels stay.
export async function setContentLabels(client: ContainerdClient, digest: string, labels: Record<string, string>, opts: { lease?: string } = {}): Promise<void> {
  const paths = Object.keys(labels).map((k) => `labels.${k}`);
  if (paths.length === 0) return;
  await client.unary('content', 'Update', { info: { digest, labels }, updateMask: { paths } }, opts);
}

export async function readContent(client: ContainerdClient, digest: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const msg of client.serverStream<{ data: Buffer }>('content', 'Read', { digest }, { timeoutMs: 60_000 })) chunks.push(msg.data);
  return Buffer.concat(chunks);
}

export interface BlobToWrite {
  digest: string;
  size: number;
  labels?: Record<string, string>;
  // The bytes, in memory or as a fresh stream.
  data: Buffer | (() => Readable);
}

const CHUNK = 1 << 20;

// Another writer (a concurrent load of the same image) holds the ingest ref of this digest.
function isLocked(err: unknown): boolean {
  return err instanceof ContainerdError && err.grpcName === 'UNAVAILABLE' && /locked/.test(err.message);
}

const LOCK_WAIT_MS = 60_000;

// Write a blob unless containerd has it already (then only its labels are set); waits, as
// containerd's client does, while another writer has the same blob in flight.
// Returns true when the blob was written.
export async function writeContent(client: ContainerdClient, blob: BlobToWrite, opts: { lease?: string } = {}): Promise<boolean> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (await contentInfo(client, blob.digest)) {
      await setContentLabels(client, blob.digest, blob.labels ?? {}, opts);
      return false;
    }
    try {
      await writeStream(client, blob, opts);
      return true;
    } catch (err) {
      if (isLocked(err) && Date.now() < deadline) {
        await sleep(100);
        continue;
      }
      // Written by someone else in between: same bytes by definition.
      if (!isAlreadyExists(err)) throw err;
    }
  }
}

async function* chunks(data: BlobToWrite['data']): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(data)) {
    for (let off = 0; off < data.length; off += CHUNK) yield data.subarray(off, off + CHUNK);
    return;
  }
  for await (const c of data()) yield c as Buffer;
}

async function writeStream(client: ContainerdClient, blob: BlobToWrite, opts: { lease?: string }): Promise<void> {
  const what = `content.Write ${blob.digest}`;
  const stream = await client.duplex('content', 'Write', { lease: opts.lease, timeoutMs: null });
  // The writer's ingest ref: one per digest, so an interrupted write is resumed (truncated) next time.
  const ref = `nerdnet-${blob.digest}`;
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('data', () => {});
    stream.on('error', (err) => reject(client.error(err, what)));
    stream.on('status', (s: { code: number }) => {
      if (s.code === 0) resolve();
    });
  });
  finished.catch(() => {});
  const send = async (msg: object) => {
    if (!stream.write(msg)) await Promise.race([once(stream, 'drain'), finished]);
  };
  try {
    let offset = 0;
    for await (const data of chunks(blob.data)) {
      await send({ action: 'WRITE', ref, total: blob.size, expected: blob.digest, offset, data });
      offset += data.length;
    }
    await send({ action: 'COMMIT', ref, total: blob.size, expected: blob.digest, offset, labels: blob.labels ?? {} });
    stream.end();
    await finished;
  } catch (err) {
    stream.cancel();
    await finished.catch(() => {});
    throw err;
  }
}
