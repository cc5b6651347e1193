// End to end against Debian's docker-registry, started by the test on 127.0.0.1 with its own storage:
// busybox (the project's docker-archive, copied in with skopeo) pulled on a clean data root by
// `run` (--pull missing) and run on a network; `pull` and --pull never/always; a multi-platform
// index the test builds resolves to the host's platform (or --platform's); htpasswd Basic auth with
// right, wrong and no credentials from a temp DOCKER_CONFIG; tag + push of a loaded image, pulled
// back and run; login/logout writing the temp config.json.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerTestEnv, containerSkipReason } from './container-harness.js';
import { busyboxImageArchive } from './helpers/busybox-image.js';
import { cliKit } from './helpers/cli-kit.js';
import { cniChains, removeNetworkLeftovers, rootSkipReason, rulesMentioning, uniqueTag, type ChainSnapshot } from './helpers/host.js';
import { HTPASSWD_BIN, registrySkipReason, skopeoCopy, startRegistry, type TestRegistry } from './helpers/registry.js';
import { RegistryClient } from '../src/lib/registry/client.js';
import { hostArchitecture } from '../src/lib/image/archive-plan.js';
import { sha256Digest } from '../src/lib/image/digest.js';

const skip = containerSkipReason() ?? rootSkipReason(['bridge', 'host-local', 'portmap', 'firewall', 'tuning']) ?? registrySkipReason();

describe('pull from docker-registry on 127.0.0.1, then run', { skip, timeout: 600_000 }, () => {
  const tag = uniqueTag();
  let env: ContainerTestEnv;
  let chains: ChainSnapshot;
  let reg: TestRegistry;
  let authReg: TestRegistry;
  let dockerConfig: string;

  const nn = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    env.cli(['--cni-path', '/usr/lib/cni', ...args], { env: { DOCKER_CONFIG: dockerConfig, ...extraEnv } });
  const { ids, networks, ok, network } = cliKit(nn, `nnp-${tag}`);

  before(async () => {
    chains = cniChains();
    env = await ContainerTestEnv.create('registry');
    dockerConfig = join(env.dir, 'docker');
    await mkdir(dockerConfig);
    reg = await startRegistry(join(env.dir, 'registry'));
    authReg = await startRegistry(join(env.dir, 'registry-auth'), { users: { alice: 'right-pass' } });
    const archive = await busyboxImageArchive();
    skopeoCopy(`docker-archive:${archive}`, `docker://${reg.host}/test/busybox:1`);
    skopeoCopy(`docker-archive:${archive}`, `docker://${authReg.host}/private/busybox:1`, ['--dest-creds', 'alice:right-pass']);
  });

  after(async () => {
    // Stopped by PID even when a test failed; then the containers, networks and files.
    await reg?.stop();
    await authReg?.stop();
    for (const id of ids) nn(['rm', '-f', id]);
    for (const n of networks) nn(['network', 'rm', n.name]);
    const leaks = networks.flatMap((n) => rulesMentioning(n.bridge));
    await env.cleanup();
    removeNetworkLeftovers(networks, chains);
    assert.deepEqual(leaks, []);
  });

  it('run pulls a missing image on a clean data root and runs it on a network', () => {
    const n = network('run');
    const ref = `${reg.host}/test/busybox:1`;
    assert.equal(ok(['images', '-q']), '', 'the data root starts empty');
    const r = nn(['run', '--rm', '--network', n.name, ref, 'sh', '-c', 'ip -o -4 addr show eth0; echo ran-from-registry']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ran-from-registry/);
    assert.match(r.stdout, new RegExp(`inet ${n.prefix.replace(/\./g, '\\.')}\\.`));
    // Progress went to stderr as plain lines (not a terminal).
    assert.match(r.stderr, /: resolved sha256:[a-f0-9]{64} \(linux\//);
    assert.match(r.stderr, /^[a-f0-9]{12}: Pull complete$/m);
    const rows = ok(['images', '--format', '{{.Repository}} {{.Tag}}']);
    assert.equal(rows, `${reg.host}/test/busybox 1\n`);
    // missing: a second run does not pull again.
    const again = nn(['run', '--rm', '--network', 'none', ref, 'true']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stderr, '');
  });

  it('pull prints the name (and nothing with -q); --pull never refuses a missing image; --pull always pulls', () => {
    const ref = `${reg.host}/test/busybox:1`;
    const pulled = nn(['pull', ref]);
    assert.equal(pulled.status, 0, pulled.stderr);
    assert.equal(pulled.stdout, `${ref}\n`);
    assert.match(pulled.stderr, /Already exists/);
    const quiet = nn(['pull', '-q', ref]);
    assert.deepEqual([quiet.status, quiet.stdout, quiet.stderr], [0, '', '']);
    const never = nn(['run', '--rm', '--pull', 'never', '--network', 'none', `${reg.host}/test/busybox:2`, 'true']);
    assert.equal(never.status, 1);
    assert.match(never.stderr, /not found/);
    assert.doesNotMatch(never.stderr, /resolved/);
    const always = nn(['create', '--pull', 'always', '--network', 'none', ref, 'true']);
    assert.equal(always.status, 0, always.stderr);
    ids.push(always.stdout.trim());
    assert.match(always.stderr, /resolved/);
    const bad = nn(['run', '--pull', 'sometimes', ref]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /invalid --pull "sometimes": give missing, always or never/);
    const unknown = nn(['pull', `${reg.host}/test/nothing:1`]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /manifest unknown: .*test\/nothing:1 is not in the registry/);
  });

  it('a multi-platform index resolves to the host platform, or to --platform', async () => {
    const client = new RegistryClient(reg.host);
    const base = await client.manifest('test/busybox', '1');
    const manifest = JSON.parse(base.bytes.toString('utf8')) as { config: { digest: string; size: number }; layers: unknown[]; mediaType: string };
    // A second platform: the same layer under a config that says linux/s390x.
    const cfgRes = await client.request('test/busybox', `blobs/${manifest.config.digest}`);
    const config = JSON.parse(await cfgRes.text()) as Record<string, unknown>;
    const otherCfg = Buffer.from(JSON.stringify({ ...config, architecture: 's390x' }));
    const cfgFile = join(env.dir, 'other-config.json');
    await writeFile(cfgFile, otherCfg);
    await client.uploadBlob('test/multi', sha256Digest(otherCfg), cfgFile);
    await client.uploadBlob('test/multi', manifest.config.digest, await writeTemp(Buffer.from(JSON.stringify(config))));
    await mountLayers(client, manifest.layers as { digest: string }[]);
    const other = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: sha256Digest(otherCfg), size: otherCfg.length } }));
    await client.putManifest('test/multi', sha256Digest(other), { mediaType: manifest.mediaType, digest: sha256Digest(other), bytes: other });
    await client.putManifest('test/multi', base.digest, base);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: manifest.mediaType, digest: sha256Digest(other), size: other.length, platform: { os: 'linux', architecture: 's390x' } },
          { mediaType: manifest.mediaType, digest: base.digest, size: base.bytes.length, platform: { os: 'linux', architecture: hostArchitecture() } },
        ],
      }),
    );
    await client.putManifest('test/multi', 'v1', { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256Digest(index), bytes: index });

    const root = ['--data-root', join(env.dir, 'multi-root')];
    ok([...root, 'pull', `${reg.host}/test/multi:v1`]);
    const host = JSON.parse(ok([...root, 'image', 'inspect', `${reg.host}/test/multi:v1`])) as { Architecture: string; ManifestDigest: string }[];
    assert.equal(host[0]?.Architecture, hostArchitecture());
    assert.equal(host[0]?.ManifestDigest, sha256Digest(index), 'the image keeps the digest its reference named');
    ok([...root, 'pull', '--platform', 'linux/s390x', `${reg.host}/test/multi:v1`]);
    const s390 = JSON.parse(ok([...root, 'image', 'inspect', `${reg.host}/test/multi:v1`])) as { Architecture: string }[];
    assert.equal(s390[0]?.Architecture, 's390x');
    const none = nn([...root, 'pull', '--platform', 'linux/riscv64', `${reg.host}/test/multi:v1`]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, new RegExp(`platform not found: .* has no linux/riscv64 image \\(it has: linux/s390x, linux/${hostArchitecture()}\\)`));

    async function writeTemp(bytes: Buffer): Promise<string> {
      const f = join(env.dir, `blob-${sha256Digest(bytes).slice(7, 19)}`);
      await writeFile(f, bytes);
      return f;
    }
    async function mountLayers(c: RegistryClient, layers: { digest: string }[]): Promise<void> {
      for (const l of layers) {
        const res = await c.request('test/multi', `blobs/uploads/?mount=${l.digest}&from=test/busybox`, { method: 'POST', push: true });
        await res.body?.cancel();
        assert.equal(res.status, 201, `cross-repository mount of ${l.digest}`);
      }
    }
  });

  it('htpasswd Basic auth: the right credential pulls; a wrong one and none are refused, naming what was tried', { skip: registrySkipReason([HTPASSWD_BIN]) }, async () => {
    const ref = `${authReg.host}/private/busybox:1`;
    const root = ['--data-root', join(env.dir, 'auth-root')];
    const cfg = async (dir: string, user: string, pass: string) => {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [authReg.host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } }));
      return dir;
    };
    const none = nn([...root, 'pull', ref], { DOCKER_CONFIG: join(env.dir, 'no-docker-config') });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /registry 127\.0\.0\.1:\d+ needs a user name and password: no credentials were found for it; log in/);
    const wrongDir = await cfg(join(env.dir, 'wrong'), 'alice', 'wrong-pass');
    const wrong = nn([...root, 'pull', ref], { DOCKER_CONFIG: wrongDir });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, new RegExp(`user "alice" from ${join(wrongDir, 'config.json')} \\(auths\\) was refused`));
    assert.equal(ok([...root, 'images', '-q']), '', 'nothing stored by the refused pulls');
    const rightDir = await cfg(join(env.dir, 'right'), 'alice', 'right-pass');
    const right = nn([...root, 'pull', ref], { DOCKER_CONFIG: rightDir });
    assert.equal(right.status, 0, right.stderr);
    assert.equal(ok([...root, 'images', '--format', '{{.Repository}}']), `${authReg.host}/private/busybox\n`);
  });

  it('tag + push a loaded image (blobs the registry has are skipped), pull it back on a clean data root and run it', async () => {
    const pushRoot = ['--data-root', join(env.dir, 'push-root')];
    ok([...pushRoot, 'load', '-i', await busyboxImageArchive()]);
    const target = `${reg.host}/test/pushed:1`;
    ok([...pushRoot, 'tag', 'busybox', target]);
    const id = ok([...pushRoot, 'images', '-q', '--no-trunc']).trim();
    assert.equal(id.split('\n').length, 1, 'one image, two names');
    const first = nn([...pushRoot, 'push', target]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^${target.replace(/[.]/g, '\\.')}: digest: sha256:[a-f0-9]{64}\n$`));
    assert.match(first.stderr, /^[a-f0-9]{12}: Pushed$/m);
    const again = nn([...pushRoot, 'push', target]);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /Pushed/);
    assert.equal(again.stderr.match(/Layer already exists/g)?.length, 2, 'the layer and the config');
    assert.equal(again.stdout, first.stdout, 'the same manifest');
    const cleanRoot = ['--data-root', join(env.dir, 'push-pull-root')];
    const run = nn([...cleanRoot, 'run', '--rm', '--network', 'none', target, 'echo', 'pushed-and-pulled']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'pushed-and-pulled\n');
    assert.equal(ok([...cleanRoot, 'images', '-q', '--no-trunc']).trim(), id, 'same image ID after the round trip');
    const noTag = nn([...pushRoot, 'push', `${reg.host}/test/absent:1`]);
    assert.equal(noTag.status, 1);
    assert.match(noTag.stderr, /not found/);
  });

  it('login checks the credential and writes auths to config.json; logout removes it', { skip: registrySkipReason([HTPASSWD_BIN]) }, () => {
    const dir = join(env.dir, 'login-config');
    const file = join(dir, 'config.json');
    const withCfg = (args: string[], input = '') => env.cli(['--cni-path', '/usr/lib/cni', ...args], { env: { DOCKER_CONFIG: dir }, input });
    const wrong = withCfg(['login', '-u', 'alice', '--password-stdin', authReg.host], 'bad\n');
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /user "alice" from the login given was refused/);
    assert.ok(!existsSync(file), 'nothing written for a refused login');
    const right = withCfg(['login', '-u', 'alice', '--password-stdin', authReg.host], 'right-pass\n');
    assert.equal(right.status, 0, right.stderr);
    assert.equal(right.stdout, 'Login Succeeded\n');
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(cfg.auths[authReg.host]?.auth ?? '', 'base64').toString(), 'alice:right-pass');
    const pulled = withCfg(['--data-root', join(env.dir, 'login-root'), 'pull', '-q', `${authReg.host}/private/busybox:1`]);
    assert.equal(pulled.status, 0, pulled.stderr);
    assert.equal(withCfg(['logout', authReg.host]).stdout, `Removing login credentials for ${authReg.host}\n`);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { auths: {} });
    assert.equal(withCfg(['logout', authReg.host]).stdout, `Not logged in to ${authReg.host}\n`);
  });
});
