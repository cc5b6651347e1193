// A client of one registry host for the OCI distribution spec / Docker registry API v2: manifests,
// blobs streamed to a file with their digest checked, uploads; the Bearer token and Basic auth
// flows; retries. HTTP is Node's own fetch (undici).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { NerdnetError } from '../errors.js';
import { basicHeader, findCredential, parseChallenges, type Challenge, type Credential } from './auth.js';
import { DEFAULT_RETRY, backoffMs, networkCode, retryAfterMs, retryableError, retryableStatus, sleep, type RetryPolicy } from './retry.js';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface RegistryClientOptions {
  // Hosts that may be reached over plain HTTP (nerdctl's --insecure-registry); localhost always may.
  insecureRegistries?: readonly string[];
  // Docker's config.json with the credentials (default $DOCKER_CONFIG/config.json or ~/.docker/config.json).
  configPath?: string;
  // A credential to use instead of config.json's (login checks the one it is about to save).
  credential?: Credential;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
}

export interface FetchedManifest {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

export interface BlobProgress {
  // Bytes written so far, and the expected total.
  current: number;
  total: number;
}

// docker.io's API lives at registry-1.docker.io, as Docker and containerd know.
export function apiHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

export function isLocalhost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function registryError(what: string, cause?: unknown): NerdnetError {
  return new NerdnetError('ERR_REGISTRY', what, cause !== undefined ? { cause } : undefined);
}

// The failure of a fetch that got no answer, in words.
function connectError(url: string, err: unknown): NerdnetError {
  const code = networkCode(err);
  const host = new URL(url).host;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return registryError(`cannot resolve registry host ${host} (${code}); check the image reference's registry name`, err);
  if (code === 'ECONNREFUSED') return registryError(`cannot connect to registry ${host}: connection refused; is the registry running there?`, err);
  const why = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
  return registryError(`request to registry ${url} failed: ${why}${code ? ` (${code})` : ''}`, err);
}

// NERDNET_REGISTRY_HOSTS=host[,host...]: the only registry hosts this process may contact (an
// air-gapped host; a test suite that must send nothing off the machine). Refused before any DNS query.
export function checkRegistryAllowed(url: string, env: NodeJS.ProcessEnv = process.env): void {
  const list = env.NERDNET_REGISTRY_HOSTS?.split(',').map((h) => h.trim()).filter(Boolean);
  if (list === undefined) return;
  const host = new URL(url).hostname;
  // A bare IPv6 address has two colons or more; `host:port` one.
  const hostOf = (a: string) => new URL(`http://${(a.match(/:/g) ?? []).length > 1 && !a.startsWith('[') ? `[${a}]` : a}`).hostname;
  if (list.some((a) => hostOf(a) === host)) return;
  throw registryError(`registry host ${host} is not in NERDNET_REGISTRY_HOSTS (${list.join(', ')}): nothing was sent to it; add it there or unset the variable`);
}

export class RegistryClient {
  readonly host: string;
  private base: Promise<string> | undefined;
  private readonly tokens = new Map<string, string>();
  private credential: Promise<Credential | undefined> | undefined;
  private readonly retry: RetryPolicy;
  private readonly doFetch: typeof fetch;

  constructor(
    readonly domain: string,
    private readonly opts: RegistryClientOptions = {},
  ) {
    this.host = apiHost(domain);
    this.retry = opts.retry ?? DEFAULT_RETRY;
    const doFetch = opts.fetch ?? fetch;
    this.doFetch = (input, init) => {
      checkRegistryAllowed(input instanceof Request ? input.url : input.toString());
      return doFetch(input, init);
    };
  }

  get plainHttpAllowed(): boolean {
    return isLocalhost(this.host) || (this.opts.insecureRegistries ?? []).includes(this.domain) || (this.opts.insecureRegistries ?? []).includes(this.host);
  }

  // https://host, or http://host for an insecure registry that does not speak TLS (tried once).
  private baseUrl(): Promise<string> {
    this.base ??= (async () => {
      const https = `https://${this.host}`;
      if (!this.plainHttpAllowed) return https;
      try {
        await this.doFetch(`${https}/v2/`, { method: 'GET', signal: AbortSignal.timeout(10_000) }).then((r) => r.body?.cancel());
        return https;
      } catch {
        return `http://${this.host}`;
      }
    })();
    return this.base;
  }

  private async cred(): Promise<Credential | undefined> {
    if (this.opts.credential) return this.opts.credential;
    this.credential ??= findCredential(this.domain, this.opts.configPath);
    return this.credential;
  }

  // Answer a 401: fetch a token for `scope` (Bearer) or use the credential (Basic).
  private async authorize(challenge: Challenge, scope: string): Promise<string> {
    const cred = await this.cred();
    if (challenge.scheme === 'basic') {
      if (!cred) throw this.unauthorized(undefined, 'needs a user name and password');
      return basicHeader(cred);
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      throw registryError(`registry ${this.host} asks for authentication nerdnet does not know (${challenge.scheme}); it supports Bearer tokens and Basic`);
    }
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    const wanted = challenge.params.scope ?? scope;
    if (wanted !== '') url.searchParams.set('scope', wanted);
    const res = await this.fetchRetrying(url.toString(), { headers: cred ? { authorization: basicHeader(cred) } : {} });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw this.unauthorized(cred, `token server ${url.host} answered ${res.status}`);
    }
    if (!res.ok) throw registryError(`token server ${url.origin}${url.pathname} answered ${res.status} ${res.statusText}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw registryError(`token server ${url.origin}${url.pathname} answered without a token`);
    return `Bearer ${token}`;
  }

  private unauthorized(cred: Credential | undefined, why: string): NerdnetError {
    const tried = cred ? `user ${JSON.stringify(cred.username)} from ${cred.source} was refused` : 'no credentials were found for it';
    return new NerdnetError('ERR_UNAUTHORIZED', `registry ${this.domain} ${why}: ${tried}; log in with the right user (login ${this.domain})`);
  }

  // fetch with retries on broken connections and 429/5xx answers.
  private async fetchRetrying(url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.doFetch(url, { redirect: 'follow', ...init });
      } catch (err) {
        // Our own refusal (a host outside NERDNET_REGISTRY_HOSTS) is final and already in words.
        if (NerdnetError.is(err)) throw err;
        if (attempt < this.retry.attempts && retryableError(err)) {
          await sleep(backoffMs(this.retry, attempt));
          continue;
        }
        throw connectError(url, err);
      }
      if (!retryableStatus(res.status) || attempt >= this.retry.attempts) return res;
      await res.body?.cancel();
      await sleep(backoffMs(this.retry, attempt, retryAfterMs(res.headers.get('retry-after'))));
    }
  }

  // A request under /v2/ for `repo`, authenticated as the registry asks.
  async request(repo: string, path: string, init: RequestInit & { push?: boolean } = {}): Promise<Response> {
    const scope = `repository:${repo}:${init.push ? 'pull,push' : 'pull'}`;
    const url = path.startsWith('http') ? path : `${await this.baseUrl()}/v2/${repo}/${path}`;
    const headers = new Headers(init.headers);
    const known = this.tokens.get(scope);
    if (known) headers.set('authorization', known);
    let res = await this.fetchRetrying(url, { ...init, headers });
    if (res.status !== 401) return res;
    const challenges = parseChallenges(res.headers.get('www-authenticate') ?? '');
    await res.body?.cancel();
    const challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!challenge) throw this.unauthorized(await this.cred(), 'answered 401 without a usable WWW-Authenticate challenge');
    const auth = await this.authorize(challenge, scope);
    this.tokens.set(scope, auth);
    headers.set('authorization', auth);
    res = await this.fetchRetrying(url, { ...init, headers });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw this.unauthorized(await this.cred(), `answered ${res.status} for ${repo}`);
    }
    return res;
  }

  private async failure(res: Response, what: string): Promise<NerdnetError> {
    const text = await res.text().catch(() => '');
    let detail = '';
    try {
      const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      detail = (body.errors ?? []).map((e) => `${e.code ?? ''}${e.message ? `: ${e.message}` : ''}`).join('; ');
    } catch {
      detail = text.slice(0, 200);
    }
    const code = res.status === 404 ? 'ERR_NOT_FOUND' : res.status === 403 ? 'ERR_UNAUTHORIZED' : 'ERR_REGISTRY';
    return new NerdnetError(code, `${what}: registry ${this.domain} answered ${res.status} ${res.statusText}${detail ? ` (${detail})` : ''}`);
  }

  // A manifest or index by tag or digest; the bytes are checked against a digest reference.
  async manifest(repo: string, reference: string): Promise<FetchedManifest> {
    const res = await this.request(repo, `manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT.join(', ') } });
    if (res.status === 404) {
      await res.body?.cancel();
      throw new NerdnetError('ERR_NOT_FOUND', `manifest unknown: ${this.domain}/${repo}:${reference} is not in the registry; check the name and tag`);
    }
    if (!res.ok) throw await this.failure(res, `cannot get manifest ${repo}:${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw registryError(`digest mismatch: manifest ${repo}@${reference} from ${this.domain} hashes to ${digest}; refused`);
    }
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    try {
      mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? mediaType;
    } catch {
      throw registryError(`manifest ${repo}:${reference} from ${this.domain} is not JSON`);
    }
    return { mediaType, digest, bytes };
  }

  // Stream blob `digest` into `dest` (created or resumed), checking size and digest; on any failure
  // the partial file is removed. A connection broken mid-blob resumes with Range where allowed.
  async downloadBlob(repo: string, digest: string, size: number, dest: string, onProgress?: (p: BlobProgress) => void): Promise<void> {
    let hash = createHash('sha256');
    let written = 0;
    const fh = await open(dest, 'w', 0o600);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const headers: Record<string, string> = written > 0 ? { range: `bytes=${written}-` } : {};
          const res = await this.request(repo, `blobs/${digest}`, { headers });
          if (res.status === 404) {
            await res.body?.cancel();
            throw new NerdnetError('ERR_NOT_FOUND', `blob unknown: ${digest} of ${this.domain}/${repo} is not in the registry`);
          }
          if (written > 0 && res.status === 200) {
            // The registry ignored the Range: this answer starts again from the first byte.
            written = 0;
            hash = createHash('sha256');
          }
          if (!res.ok) throw await this.failure(res, `cannot get blob ${digest}`);
          if (!res.body) throw registryError(`blob ${digest} from ${this.domain} came with no body`);
          for await (const chunk of Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)) {
            const buf = chunk as Buffer;
            if (written + buf.length > size) throw registryError(`blob ${digest} from ${this.domain} is longer than the ${size} bytes its descriptor says; refused`);
            hash.update(buf);
            await fh.write(buf, 0, buf.length, written);
            written += buf.length;
            onProgress?.({ current: written, total: size });
          }
          break;
        } catch (err) {
          if (NerdnetError.is(err) || attempt >= this.retry.attempts || !retryableError(err)) throw NerdnetError.is(err) ? err : connectError(`blob ${digest}`, err);
          await sleep(backoffMs(this.retry, attempt));
        }
      }
      if (written !== size) throw registryError(`blob ${digest} from ${this.domain} has ${written} bytes, but its descriptor says ${size}; refused`);
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== digest) throw registryError(`digest mismatch: blob ${digest} from ${this.domain}/${repo} hashes to ${got}; refused (nothing was stored)`);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(dest, { force: true });
      throw err;
    }
    await fh.close();
  }

  async blobExists(repo: string, digest: string, push = false): Promise<boolean> {
    const res = await this.request(repo, `blobs/${digest}`, { method: 'HEAD', push });
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (res.ok) return true;
    throw await this.failure(res, `cannot check blob ${digest}`);
  }

  // Monolithic upload: POST for an upload URL, then one PUT with the file and its digest.
  async uploadBlob(repo: string, digest: string, file: string): Promise<void> {
    const start = await this.request(repo, 'blobs/uploads/', { method: 'POST', push: true, headers: { 'content-length': '0' } });
    if (start.status !== 202) throw await this.failure(start, `cannot start uploading blob ${digest}`);
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (!location) throw registryError(`registry ${this.domain} started an upload without a Location`);
    const url = new URL(location, await this.baseUrl());
    url.searchParams.set('digest', digest);
    const { size } = await stat(file);
    const body = Readable.toWeb(createReadStream(file)) as unknown as NonNullable<RequestInit['body']>;
    const res = await this.request(repo, url.toString(), {
      method: 'PUT',
      push: true,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
      duplex: 'half',
    });
    if (res.status !== 201) throw await this.failure(res, `cannot upload blob ${digest}`);
    await res.body?.cancel();
  }

  async putManifest(repo: string, reference: string, m: FetchedManifest): Promise<void> {
    const res = await this.request(repo, `manifests/${reference}`, { method: 'PUT', push: true, headers: { 'content-type': m.mediaType }, body: m.bytes });
    if (res.status !== 201) throw await this.failure(res, `cannot push manifest ${repo}:${reference}`);
    await res.body?.cancel();
  }

  // GET /v2/ with the credential: login's check.
  async ping(): Promise<void> {
    const url = `${await this.baseUrl()}/v2/`;
    let res = await this.fetchRetrying(url, {});
    if (res.status === 401) {
      const challenges = parseChallenges(res.headers.get('www-authenticate') ?? '');
      await res.body?.cancel();
      const challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
      if (!challenge) throw this.unauthorized(await this.cred(), 'answered 401 without a usable WWW-Authenticate challenge');
      res = await this.fetchRetrying(url, { headers: { authorization: await this.authorize(challenge, '') } });
      if (res.status === 401 || res.status === 403) throw this.unauthorized(await this.cred(), `answered ${res.status}`);
    }
    await res.body?.cancel();
    if (!res.ok) throw registryError(`registry ${this.domain} answered ${res.status} ${res.statusText} at /v2/`);
  }
}
