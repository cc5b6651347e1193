// sha256 digests: validation, hashing while streaming, and transparent gunzip of tar streams.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { NerdnetError } from '../errors.js';

const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function isSha256Digest(value: string): boolean {
  return SHA256.test(value);
}

// The hex part of a `sha256:<hex>` digest; anything else is refused before it reaches a path.
export function digestHex(digest: string): string {
  if (!SHA256.test(digest)) throw new NerdnetError('ERR_INVALID_ARG', `invalid digest ${JSON.stringify(digest)}: expected sha256:<64 lowercase hex digits>`);
  return digest.slice('sha256:'.length);
}

export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

// Passes bytes through unchanged, counting and hashing them.
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  // Call once, after the stream has ended.
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];

// Gunzips when the stream starts with gzip's magic, else passes it through: docker-archive
// layers and whole `docker save | gzip` archives may be either, whatever their names say.
export class AutoGunzip extends Transform {
  private head: Buffer | undefined = Buffer.alloc(0);
  private gunzip: Gunzip | undefined;
  compressed = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.head !== undefined) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < GZIP_MAGIC.length) return cb();
      chunk = this.head;
      this.head = undefined;
      this.decide(chunk);
    }
    this.forward(chunk, cb);
  }

  override _flush(cb: TransformCallback): void {
    if (this.head !== undefined && this.head.length > 0) this.push(this.head);
    if (!this.gunzip) return cb();
    this.gunzip.once('end', () => cb());
    this.gunzip.end();
  }

  override _read(size: number): void {
    this.gunzip?.resume();
    super._read(size);
  }

  private decide(head: Buffer): void {
    this.compressed = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    if (!this.compressed) return;
    this.gunzip = createGunzip();
    const gunzip = this.gunzip;
    // Backpressure: stop inflating while our reader is behind (a layer may inflate to gigabytes).
    gunzip.on('data', (out: Buffer) => {
      if (!this.push(out)) gunzip.pause();
    });
    this.gunzip.on('error', (err) => this.destroy(new NerdnetError('ERR_INVALID_ARG', `bad gzip data: ${err.message}`, { cause: err })));
  }

  private forward(chunk: Buffer, cb: TransformCallback): void {
    if (!this.gunzip) return cb(null, chunk);
    if (this.gunzip.write(chunk)) cb();
    else this.gunzip.once('drain', () => cb());
  }
}
