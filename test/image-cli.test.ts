// `nerdnet image load|ls|rm|inspect` and Docker's `load`/`images`/`rmi` as a user runs them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxImageArchive, busyboxSkipReason, dockerArchive, writeTar } from './helpers/busybox-image.js';
import { tempDir } from './helpers/host.js';

const ENTRY = fileURLToPath(new URL('../src/bin/nerdnet.ts', import.meta.url));

describe('nerdnet image (CLI)', { skip: busyboxSkipReason() }, () => {
  let work: string;
  let removeWork: () => Promise<void>;
  let archive: string;

  const nerdnet = (args: string[], input?: Buffer) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, '--data-root', join(work, 'root'), ...args], { encoding: 'utf8', input });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(async () => {
    ({ path: work, remove: removeWork } = await tempDir('image-cli'));
    archive = await busyboxImageArchive();
  });
  after(async () => removeWork());

  it('image load -i prints what docker load prints; images lists it', () => {
    const load = nerdnet(['image', 'load', '-i', archive]);
    assert.equal(load.status, 0, load.stderr);
    assert.equal(load.stdout, 'Loaded image: busybox:latest\n');
    const ls = nerdnet(['images']);
    assert.equal(ls.status, 0, ls.stderr);
    const [header, row, extra] = ls.stdout.split('\n');
    assert.equal(header, 'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE');
    assert.match(row ?? '', /^busybox {6}latest {4}[a-f0-9]{12} {3}\d+ \w+ ago {3}\d+(\.\d+)?[kM]B$/);
    assert.equal(extra, '');
  });

  it('ls -q, --no-trunc, --format json and a repository filter', () => {
    const q = nerdnet(['image', 'ls', '-q']);
    assert.match(q.stdout, /^[a-f0-9]{12}\n$/);
    const full = nerdnet(['image', 'ls', '-q', '--no-trunc']);
    assert.match(full.stdout, /^sha256:[a-f0-9]{64}\n$/);
    assert.ok(full.stdout.includes(q.stdout.trim()));
    const json = JSON.parse(nerdnet(['image', 'ls', '--format', 'json']).stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(json), ['CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'Tag', 'Size']);
    assert.deepEqual([json.Repository, json.Tag, json.ID], ['busybox', 'latest', q.stdout.trim()]);
    assert.equal(nerdnet(['images', 'busybox:latest', '-q']).stdout, q.stdout);
    assert.equal(nerdnet(['images', 'alpine', '-q']).stdout, '');
    assert.equal(nerdnet(['images', '--format', '{{.ID}} {{.Repository | upper}}']).stdout, `${q.stdout.trim()} BUSYBOX\n`);
    const tbl = nerdnet(['images', '--format', 'table {{.Repository}}\\t{{.ID}}']).stdout;
    assert.equal(tbl, `REPOSITORY   IMAGE ID\nbusybox      ${q.stdout.trim()}\n`);
    const bad = nerdnet(['images', '--format', '{{.Nope}}']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /can't evaluate field Nope/);
  });

  it('inspect shows the config a container needs', () => {
    const r = nerdnet(['image', 'inspect', 'busybox']);
    assert.equal(r.status, 0, r.stderr);
    const [doc] = JSON.parse(r.stdout) as Array<{ RepoTags: string[]; Config: { Cmd: string[]; Env: string[] } }>;
    assert.deepEqual(doc?.RepoTags, ['busybox:latest']);
    assert.deepEqual(doc?.Config.Cmd, ['sh']);
  });

  it('load reads stdin (docker load < file) and names are per --namespace', () => {
    const r = nerdnet(['-n', 'other', 'load'], readFileSync(archive));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'Loaded image: busybox:latest\n');
    assert.equal(nerdnet(['-n', 'other', 'rmi', 'busybox']).stdout.split('\n')[0], 'Untagged: busybox:latest');
    assert.equal(nerdnet(['-n', 'other', 'images', '-q']).stdout, '');
    assert.match(nerdnet(['images', '-q']).stdout, /^[a-f0-9]{12}\n$/);
  });

  it('rm prints Untagged and Deleted like docker rmi', async () => {
    const d = await dockerArchive({ tags: ['tmp-image:1'], layers: [[{ name: 'x', data: 'x' }]] });
    await writeTar(join(work, 'tmp.tar'), d.entries);
    assert.equal(nerdnet(['load', '-i', join(work, 'tmp.tar')]).status, 0);
    const r = nerdnet(['image', 'rm', 'tmp-image:1']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `Untagged: tmp-image:1\nDeleted: ${d.id}\n`);
  });

  it('errors: exit 1 and one line naming the file or image', () => {
    const missing = nerdnet(['image', 'load', '-i', join(work, 'nope.tar')]);
    assert.deepEqual([missing.status, missing.stdout], [1, '']);
    assert.equal(missing.stderr, `nerdnet: image archive ${join(work, 'nope.tar')} does not exist\n`);
    const notTar = nerdnet(['image', 'load', '-i', '/proc/self/status']);
    assert.equal(notTar.status, 1);
    assert.match(notTar.stderr, /^nerdnet: cannot load image archive \/proc\/self\/status: not a tar archive: invalid tar header/);
    const rm = nerdnet(['image', 'rm', 'no-such']);
    assert.equal(rm.status, 1);
    assert.match(rm.stderr, /image "no-such" not found in namespace "default"/);
    const badRef = nerdnet(['image', 'rm', 'Bad:Name']);
    assert.match(badRef.stderr, /invalid image reference "Bad:Name": repository name "library\/Bad" must be lowercase/);
  });
});
