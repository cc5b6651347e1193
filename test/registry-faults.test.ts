// Pulls from a registry that misbehaves: the test's own tiny HTTP server on 127.0.0.1 serves the
// busybox image (an OCI layout skopeo writes from the project's docker-archive) and breaks the
// connection mid-layer (the pull resumes with Range), sends a layer with a wrong digest (refused,
// nothing stored), or answers 429 before 200 (retried).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ImageStore } from '../src/lib/image/index.js';
import { pullImage } from '../src/lib/registry/pull.js';
import { busyboxImageArchive, busyboxSkipReason } from './helpers/busybox-image.js';
import { tempDir } from './helpers/host.js';
import { SKOPEO_BIN, registrySkipReason } from './helpers/registry.js';

const FAST = { attempts: 5, baseMs: 10, maxMs: 50 };

interface Fault {
  // Cut the first GET of the layer after this many bytes.
  breakLayerAt?: number;
  // Flip a byte of the layer in every answer.
  corruptLayer?: boolean;
  // Answer the manifest this many times with 429 first.
  manifest429?: number;
}

describe('pull from a faulty registry (own HTTP server)', { skip: busyboxSkipReason() ?? registrySkipReason([SKOPEO_BIN]), timeout: 120_000 }, () => {
  let work: string;
  let removeWork: () => Promise<void>;
  let layout: string;
  let server: Server;
  let host: string;
  let fault: Fault = {};
  let log: { path: string; range?: string; status: number }[] = [];
  let manifestDigest: string;
  let layerDigest: string;
  let n = 0;

  const blob = (digest: string) => readFileSync(join(layout, 'blobs', 'sha256', digest.slice(7)));

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const entry: (typeof log)[number] = { path: url, status: 200, ...(req.headers.range ? { range: req.headers.range } : {}) };
    log.push(entry);
    const send = (status: number, body: Buffer | string, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    if (url === '/v2/') return send(200, '{}');
    const m = /^\/v2\/test\/img\/(manifests|blobs)\/(.+)$/.exec(url);
    if (!m) return send(404, '{"errors":[{"code":"NAME_UNKNOWN"}]}');
    if (m[1] === 'manifests') {
      if ((fault.manifest429 ?? 0) > 0) {
        fault.manifest429 = (fault.manifest429 ?? 0) - 1;
        return send(429, '{"errors":[{"code":"TOOMANYREQUESTS"}]}', { 'retry-after': '0' });
      }
      return send(200, blob(manifestDigest), { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    }
    const digest = m[2] as string;
    if (!existsSync(join(layout, 'blobs', 'sha256', digest.slice(7)))) return send(404, '{"errors":[{"code":"BLOB_UNKNOWN"}]}');
    let body = blob(digest);
    if (digest === layerDigest && fault.corruptLayer) {
      body = Buffer.from(body);
      body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      const from = Number(range[1]);
      return send(206, body.subarray(from), { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}`, 'accept-ranges': 'bytes' });
    }
    if (digest === layerDigest && fault.breakLayerAt !== undefined) {
      const at = fault.breakLayerAt;
      fault.breakLayerAt = undefined;
      res.writeHead(200, { 'content-length': String(body.length), 'accept-ranges': 'bytes' });
      res.write(body.subarray(0, at), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    send(200, body, { 'accept-ranges': 'bytes' });
  }

  const storeState = (root: string) => {
    const images = join(root, 'nerdnet', 'images');
    const list = (d: string) => (existsSync(join(images, d)) ? readdirSync(join(images, d)) : []);
    return { layers: list('layers'), blobs: list('blobs/sha256'), refs: list('refs'), tmp: list('tmp') };
  };

  before(async () => {
    ({ path: work, remove: removeWork } = await tempDir('registry-faults'));
    layout = join(work, 'layout');
    execFileSync(SKOPEO_BIN, ['--insecure-policy', 'copy', '-q', `docker-archive:${await busyboxImageArchive()}`, `oci:${layout}:latest`]);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    manifestDigest = index.manifests[0]?.digest ?? '';
    const manifest = JSON.parse(blob(manifestDigest).toString('utf8')) as { layers: { digest: string }[] };
    layerDigest = manifest.layers[0]?.digest ?? '';
    server = createServer(handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    host = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  after(async () => {
    // Ends the server even when a test failed.
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await removeWork();
  });
  beforeEach(() => {
    fault = {};
    log = [];
  });

  const freshStore = async () => {
    const root = join(work, `root${n++}`);
    return { root, store: await ImageStore.open({ dataRoot: root }) };
  };

  it('a connection broken mid-layer is resumed with Range and the image is complete', async () => {
    const { store } = await freshStore();
    fault.breakLayerAt = 300_000;
    const pulled = await pullImage(store, `${host}/test/img:latest`, { retry: FAST });
    const layerGets = log.filter((l) => l.path.endsWith(layerDigest));
    assert.equal(layerGets.length, 2, JSON.stringify(log));
    // From what arrived: bytes still in flight when the socket was destroyed may be lost.
    const from = Number(/^bytes=(\d+)-$/.exec(layerGets[1]?.range ?? '')?.[1]);
    assert.ok(from > 0 && from <= 300_000, `resumed from ${layerGets[1]?.range}`);
    assert.equal(layerGets[1]?.status, 206);
    const img = await store.resolve(`${host}/test/img:latest`);
    assert.equal(img.id, pulled.id);
    assert.ok(existsSync(store.paths.layerFs(img.diffIDs[0] as string) + '/bin/busybox'));
  });

  it('a layer whose bytes do not match its digest is refused and nothing is left in the store', async () => {
    const { root, store } = await freshStore();
    const before = storeState(root);
    fault.corruptLayer = true;
    await assert.rejects(pullImage(store, `${host}/test/img:latest`, { retry: FAST }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_REGISTRY');
      assert.match(err.message, new RegExp(`digest mismatch: blob ${layerDigest} .* hashes to sha256:[a-f0-9]{64}; refused`));
      return true;
    });
    assert.deepEqual(storeState(root), before);
    assert.deepEqual(before, { layers: [], blobs: [], refs: [], tmp: [] });
  });

  it('429 answers are retried (Retry-After honoured) until the registry answers 200', async () => {
    const { store } = await freshStore();
    fault.manifest429 = 2;
    await pullImage(store, `${host}/test/img:latest`, { retry: FAST });
    assert.deepEqual(log.filter((l) => l.path.includes('/manifests/')).map((l) => l.status), [429, 429, 200]);
    assert.equal((await store.list()).length, 1);
  });

  it('429 beyond the retry budget fails naming the status; a missing tag is "manifest unknown"', async () => {
    const { store } = await freshStore();
    fault.manifest429 = 10;
    await assert.rejects(pullImage(store, `${host}/test/img:latest`, { retry: { ...FAST, attempts: 3 } }), /answered 429/);
    fault.manifest429 = 0;
    await assert.rejects(pullImage(store, `${host}/test/nope:latest`, { retry: FAST }), { code: 'ERR_NOT_FOUND', message: /manifest unknown/ });
  });
});
