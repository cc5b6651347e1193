// The registry client's pure parts: WWW-Authenticate challenges, config.json credentials, the retry
// policy, platforms, and references as registries see them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReference } from '../image/reference.js';
import { configKey, dockerConfigPath, findCredential, parseChallenges } from './auth.js';
import { RegistryClient, apiHost, checkRegistryAllowed, isLocalhost } from './client.js';
import { formatPlatform, parsePlatform, selectManifest } from './platform.js';
import { backoffMs, retryAfterMs, retryableError, retryableStatus } from './retry.js';

describe('WWW-Authenticate', () => {
  it('parses a Bearer challenge with quoted parameters', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
    ]);
  });
  it('parses Basic, unquoted values, escapes and several challenges in one header', () => {
    assert.deepEqual(parseChallenges('Basic realm="a \\"b\\" c"'), [{ scheme: 'basic', params: { realm: 'a "b" c' } }]);
    assert.deepEqual(parseChallenges('Basic, Bearer realm=https://t/x , error=insufficient_scope'), [
      { scheme: 'basic', params: {} },
      { scheme: 'bearer', params: { realm: 'https://t/x', error: 'insufficient_scope' } },
    ]);
    assert.deepEqual(parseChallenges(''), []);
  });
});

describe('credentials from config.json', () => {
  it('finds auths by host, docker.io under its index URL, and names the source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-auth-'));
    try {
      const file = join(dir, 'config.json');
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      await writeFile(file, JSON.stringify({ auths: { 'reg.example:5000': { auth: b64('me:p:w') }, 'https://index.docker.io/v1/': { auth: b64('hub:x') }, 'http://other.example/v2/': { username: 'u', password: 'p' } } }));
      assert.deepEqual(await findCredential('reg.example:5000', file), { username: 'me', password: 'p:w', source: `${file} (auths)` });
      assert.equal((await findCredential('docker.io', file))?.username, 'hub');
      assert.equal((await findCredential('other.example', file))?.username, 'u');
      assert.equal(await findCredential('nowhere.example', file), undefined);
      assert.equal(await findCredential('x', join(dir, 'missing.json')), undefined);
      await writeFile(file, '{nope');
      await assert.rejects(findCredential('x', file), { code: 'ERR_INVALID_CONFIG' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('follows DOCKER_CONFIG, then HOME', () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/d', HOME: '/h' }), '/d/config.json');
    assert.equal(dockerConfigPath({ HOME: '/h' }), '/h/.docker/config.json');
    assert.equal(configKey('docker.io'), 'https://index.docker.io/v1/');
  });
});

describe('retry policy', () => {
  it('retries 429, 408 and 5xx, not other answers', () => {
    for (const s of [429, 408, 500, 502, 503, 504]) assert.ok(retryableStatus(s), String(s));
    for (const s of [200, 400, 401, 403, 404, 501]) assert.ok(!retryableStatus(s), String(s));
  });
  it('retries broken connections, not unknown hosts or refusals', () => {
    const wrapped = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
    assert.ok(retryableError(wrapped('ECONNRESET')));
    assert.ok(retryableError(wrapped('UND_ERR_SOCKET')));
    assert.ok(retryableError(new TypeError('terminated')));
    assert.ok(!retryableError(wrapped('ENOTFOUND')));
    assert.ok(!retryableError(wrapped('ECONNREFUSED')));
  });
  it('backs off exponentially up to the cap and honours Retry-After', () => {
    const p = { attempts: 5, baseMs: 100, maxMs: 1000 };
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffMs(p, a)), [100, 200, 400, 800, 1000]);
    assert.equal(backoffMs(p, 1, 700), 700);
    assert.equal(backoffMs(p, 1, 60_000), 1000);
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });
});

describe('platforms', () => {
  it('parses --platform as containerd does', () => {
    assert.equal(formatPlatform(parsePlatform('linux/amd64')), 'linux/amd64');
    assert.equal(formatPlatform(parsePlatform('arm64')), 'linux/arm64');
    assert.equal(formatPlatform(parsePlatform('linux/arm64/v8')), 'linux/arm64');
    assert.equal(formatPlatform(parsePlatform('linux/arm')), 'linux/arm/v7');
    assert.equal(formatPlatform(parsePlatform('linux/x86_64')), 'linux/amd64');
    assert.throws(() => parsePlatform('linux/amd64/v1/x'), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => parsePlatform('linux/../x'), { code: 'ERR_INVALID_ARG' });
  });
  it('selects an index entry by os/arch/variant and lists what there is otherwise', () => {
    const d = (architecture: string, variant?: string, os = 'linux') => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${architecture.padEnd(64, '0').slice(0, 64).replace(/[^a-f0-9]/g, 'a')}`, size: 1, platform: { os, architecture, ...(variant ? { variant } : {}) } });
    const list = [d('unknown', undefined, 'unknown'), d('amd64'), d('arm', 'v6'), d('arm', 'v7'), d('arm64', 'v8')];
    assert.equal(selectManifest(list, parsePlatform('linux/arm64'), 'x'), list[4]);
    assert.equal(selectManifest(list, parsePlatform('linux/arm'), 'x'), list[3]);
    assert.equal(selectManifest(list, parsePlatform('linux/arm/v6'), 'x'), list[2]);
    assert.throws(() => selectManifest(list, parsePlatform('linux/s390x'), 'img'), { code: 'ERR_NOT_FOUND', message: /platform not found: img has no linux\/s390x image \(it has: linux\/amd64, linux\/arm\/v6, linux\/arm\/v7, linux\/arm64\/v8\)/ });
  });
});

describe('references as registries see them', () => {
  it('docker.io goes to registry-1.docker.io; localhost and loopback may use plain HTTP', () => {
    const r = parseReference('busybox');
    assert.deepEqual([r.domain, r.path, r.tag], ['docker.io', 'library/busybox', 'latest']);
    assert.equal(apiHost(r.domain), 'registry-1.docker.io');
    const local = parseReference('localhost:5000/team/app@sha256:' + 'a'.repeat(64));
    assert.deepEqual([local.domain, local.path, local.tag, local.digest], ['localhost:5000', 'team/app', undefined, `sha256:${'a'.repeat(64)}`]);
    assert.equal(apiHost('127.0.0.1:5000'), '127.0.0.1:5000');
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1:41000', '[::1]:5000']) assert.ok(isLocalhost(h), h);
    for (const h of ['registry.example', '10.0.0.1:5000', 'localhost.example']) assert.ok(!isLocalhost(h), h);
  });
});

describe('NERDNET_REGISTRY_HOSTS', () => {
  const env = { NERDNET_REGISTRY_HOSTS: 'localhost, 127.0.0.1:5000,::1' };
  it('lets the listed hosts through, whatever the port', () => {
    for (const url of ['http://127.0.0.1:41000/v2/', 'https://localhost/v2/', 'http://[::1]:5000/v2/']) assert.doesNotThrow(() => checkRegistryAllowed(url, env), url);
  });
  it('refuses any other host before a request is made, naming it', () => {
    assert.throws(() => checkRegistryAllowed('https://registry-1.docker.io/v2/', env), /registry host registry-1\.docker\.io is not in NERDNET_REGISTRY_HOSTS/);
    assert.throws(() => checkRegistryAllowed('https://10.0.0.5:5000/v2/', env), /10\.0\.0\.5/);
  });
  it('allows everything when unset', () => {
    assert.doesNotThrow(() => checkRegistryAllowed('https://registry-1.docker.io/v2/', {}));
  });
  it('a client never calls fetch for a host outside the list', async () => {
    const saved = process.env.NERDNET_REGISTRY_HOSTS;
    process.env.NERDNET_REGISTRY_HOSTS = '127.0.0.1';
    let calls = 0;
    try {
      const client = new RegistryClient('docker.io', { fetch: () => { calls++; return Promise.reject(new Error('no')); } });
      await assert.rejects(client.manifest('library/busybox', 'latest'), /not in NERDNET_REGISTRY_HOSTS/);
      assert.equal(calls, 0);
    } finally {
      if (saved === undefined) delete process.env.NERDNET_REGISTRY_HOSTS;
      else process.env.NERDNET_REGISTRY_HOSTS = saved;
    }
  });
});
