// The `nerdnet network` CLI end to end (separate processes, temp conf dir, fake plugins): output
// formats as nerdctl prints them, pflag-style booleans, exit codes and messages. Names are unique:
// rm/prune delete real bridges of that name, and this test must not touch anyone else's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { networkID } from '../src/lib/network/names.js';
import { tempDir, uniqueTag } from './helpers/host.js';
import { nerdnet } from './helpers/network-cli.js';
import { fakePluginDir } from './helpers/network-fakes.js';

describe('nerdnet network (CLI)', () => {
  const t = `c${uniqueTag()}`;
  const foo = `${t}-foo`;
  let conf: Awaited<ReturnType<typeof tempDir>>;
  let plugins: Awaited<ReturnType<typeof fakePluginDir>>;
  let g: string[];
  const net = (...args: string[]) => nerdnet([...g, 'network', ...args]);

  before(async () => {
    conf = await tempDir('cli');
    plugins = await fakePluginDir();
    g = ['--cni-netconfpath', conf.path, '--cni-path', plugins.dir, '-n', 'cli'];
  });
  after(async () => {
    await conf.remove();
    await plugins.remove();
  });

  it('create prints the ID; `create bridge` makes the default network byte for byte; ls shows nerdctl\'s table', async () => {
    const made = await net('create', foo, '--label', 'env=prod');
    assert.deepEqual([made.code, made.stdout], [0, `${networkID(foo)}\n`]);
    const br = await net('create', 'bridge');
    assert.deepEqual([br.code, br.stdout], [0, '17f29b073143d8cd97b5bbe492bdeffec1c5fee55cc1fe2112c8b9335f8b6121\n']);
    assert.match(await readFile(join(conf.path, 'nerdctl-bridge.conflist'), 'utf8'), /^\{\n {2}"cniVersion": "1\.0\.0",\n {2}"name": "bridge",[\s\S]*"nerdctl\/default-network": "true"[\s\S]*\}$/);
    assert.match((await net('create', 'bridge')).stderr, /network with name bridge already exists/);
    const ls = await net('ls');
    const fooFile = join(conf.path, 'cli', `nerdctl-${foo}.conflist`);
    const brFile = join(conf.path, 'nerdctl-bridge.conflist');
    const id = networkID(foo).slice(0, 12);
    // Go's tabwriter: each column is as wide as its longest cell plus 4.
    const w = foo.length + 4;
    const row = (a: string, b: string, c: string) => `${a.padEnd(16)}${b.padEnd(w)}${c}\n`;
    assert.equal(ls.stdout, row('NETWORK ID', 'NAME', 'FILE') + row(id, foo, fooFile) + row('17f29b073143', 'bridge', brFile) + row('', 'host', '') + row('', 'none', ''));
    assert.equal((await net('ls', '-q')).stdout, `${id}\n17f29b073143\n`);
    assert.equal((await net('ls', '--format', 'json', '-f', `name=${foo}`)).stdout, `{"ID":"${id}","Name":"${foo}","Labels":"env=prod"}\n`);
    assert.equal((await net('list', '--format', '{{.Name}}={{.Labels}}', '--filter', 'label=env')).stdout, `${foo}=env=prod\n`);
    const both = await net('ls', '-q', '--format', '{{.Name}}');
    assert.deepEqual([both.code, both.stderr], [1, 'nerdnet: format and quiet must not be specified together\n']);
    assert.match((await net('ls', '--format', 'raw')).stderr, /unsupported format: "raw"/);
  });

  it('accepts --flag=false like pflag: --ipv6=false, --internal=true, --ipv4=false', async () => {
    assert.equal((await net('create', `${t}-int1`, '--internal=true', '--ipv6=false', '--subnet', '10.202.1.0/24')).code, 0);
    const text = await readFile(join(conf.path, 'cli', `nerdctl-${t}-int1.conflist`), 'utf8');
    assert.ok(!text.includes('portmap') && !text.includes('isGateway'));
    assert.equal((await net('create', `${t}-v6only`, '--ipv4=false', '--ipv6', '--subnet', 'fd00:202::/64')).code, 0);
    assert.match(await readFile(join(conf.path, 'cli', `nerdctl-${t}-v6only.conflist`), 'utf8'), /"dst": "::\/0"/);
    assert.match((await net('create', `${t}-x1`, '--ipv6=maybe')).stderr, /invalid value "maybe" for --ipv6: use true or false/);
    assert.equal((await net('ls', '--quiet=false', '-f', 'name=^none$')).code, 0);
  });

  it('inspect prints Docker-shaped JSON; a missing network fails with exit 1 but the found ones are printed', async () => {
    const ok = await net('inspect', foo);
    assert.equal(ok.code, 0);
    const [n] = JSON.parse(ok.stdout) as Array<{ Name: string; Labels: Record<string, string>; Driver: string }>;
    assert.deepEqual([n?.Name, n?.Driver, n?.Labels], [foo, 'bridge', { env: 'prod' }]);
    assert.ok(ok.stdout.startsWith(`[\n    {\n        "Name": "${foo}",`));
    const mixed = await net('inspect', foo, 'nosuch');
    assert.equal(mixed.code, 1);
    assert.equal((JSON.parse(mixed.stdout) as unknown[]).length, 1);
    assert.equal(mixed.stderr, 'nerdnet: no network found matching: nosuch\n');
    assert.equal((await net('inspect', '-f', '{{.Name}} {{json .IPAM.Config}}', 'bridge')).stdout, 'bridge [{"Subnet":"10.4.0.0/24","Gateway":"10.4.0.1"}]\n');
    assert.match((await net('inspect', '--mode', 'native', foo)).stdout, new RegExp(`"File": ".*nerdctl-${foo}\\.conflist"`));
  });

  it('rm prints what it removed and fails for the rest; prune -f lists what it deleted', async () => {
    assert.equal((await net('create', `${t}-gone1`)).code, 0);
    const rm = await net('rm', `${t}-gone1`, 'bridge', 'none');
    assert.equal(rm.code, 1);
    assert.equal(rm.stdout, `${t}-gone1\n`);
    assert.equal(rm.stderr, 'nerdnet: cannot remove pre-defined network bridge\nnerdnet: pseudo network not allowed: none (host and none are built in)\n');
    const prune = await net('prune', '-f');
    assert.deepEqual([prune.code, prune.stdout], [0, `Deleted Networks:\n${foo}\n${t}-int1\n${t}-v6only\n\n`]);
    assert.ok(existsSync(join(conf.path, 'nerdctl-bridge.conflist')));
    assert.equal((await net('prune', '--force')).stdout, '');
    assert.equal((await net('create', `${t}-asked`)).code, 0);
    const no = await nerdnet([...g, 'network', 'prune'], 'n\n');
    assert.match(no.stdout, /Are you sure you want to continue\? \[y\/N\] $/);
    assert.equal((await net('ls', '-q', '-f', `name=${t}-asked`)).stdout.length, 13);
    assert.equal((await net('rm', `${t}-asked`)).code, 0);
  });

  it('bad input exits 1 with the message; usage errors come from the parser', async () => {
    const bad = await net('create', '../x');
    assert.deepEqual([bad.code, bad.stdout], [1, '']);
    assert.match(bad.stderr, /^nerdnet: invalid network name "\.\.\/x": it must start with a letter or digit/);
    const opt = await net('create', `${t}-x2`, '-o', 'parent=eth0');
    assert.match(opt.stderr, /unsupported "bridge" network option "parent"/);
    const missing = await net('create');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing required argument 'name'/);
  });
});
