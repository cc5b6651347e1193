// libcni conf_test equivalents: parsing rules, version selection, discovery order and shadowing,
// sub-folder plugins, and errors that name the file and the field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confFromBytes, confListFromBytes, confListFromConf, injectConf } from './conf.js';
import { confFiles, loadConfDir, loadConfList, networkConfFromFile } from './conf-files.js';

const list = (o: unknown) => confListFromBytes(Buffer.from(JSON.stringify(o)));

describe('confListFromBytes', () => {
  it('parses the libcni key vector and keeps plugin objects whole', () => {
    const l = list({
      name: 'some-network',
      cniVersion: '0.2.0',
      disableCheck: true,
      plugins: [{ type: 'host-local', subnet: '10.0.0.1/24' }, { type: 'bridge', mtu: 1400 }, { type: 'port-forwarding', ports: { '20.0.0.1:8080': '80' } }],
    });
    assert.equal(l.name, 'some-network');
    assert.equal(l.cniVersion, '0.2.0');
    assert.equal(l.disableCheck, true);
    assert.deepEqual(l.plugins.map((p) => p.raw), [
      { subnet: '10.0.0.1/24', type: 'host-local' },
      { mtu: 1400, type: 'bridge' },
      { ports: { '20.0.0.1:8080': '80' }, type: 'port-forwarding' },
    ]);
  });

  it('keeps the input bytes verbatim for the cache', () => {
    const bytes = Buffer.from('{ "name": "x", "cniVersion": "1.0.0", "plugins": [ {"type": "a"} ] }');
    assert.ok(confListFromBytes(bytes).bytes.equals(bytes));
  });

  const versionVectors: Array<[Record<string, unknown>, string]> = [
    [{ cniVersions: ['1.1.0', '0.4.0', '1.0.0'] }, '1.1.0'],
    [{ cniVersions: ['99.0.0', '1.1.0', '0.4.0', '1.0.0'] }, '1.1.0'],
    [{ cniVersion: '1.2.3' }, '1.2.3'],
    [{ cniVersion: '1.0.0', cniVersions: ['0.1.0', '0.4.0'] }, '1.0.0'],
    [{ cniVersions: [] }, ''],
  ];
  for (const [extra, want] of versionVectors) {
    it(`selects version ${want || '""'} for ${JSON.stringify(extra)}`, () => {
      assert.equal(list({ name: 'n', plugins: [{ type: 'a' }], ...extra }).cniVersion, want);
    });
  }

  it('rejects a malformed cniVersions entry', () => {
    assert.throws(() => list({ name: 'n', cniVersions: ['1.1.0', '0.4.0', '1.0.f'], plugins: [{ type: 'a' }] }), /error parsing configuration list: .*1\.0\.f/);
  });

  it('accepts "true"/"false" strings for the booleans and rejects anything else', () => {
    assert.equal(list({ name: 'n', disableCheck: 'TRUE', plugins: [{ type: 'a' }] }).disableCheck, true);
    assert.equal(list({ name: 'n', disableGC: 'false', plugins: [{ type: 'a' }] }).disableGC, false);
    assert.throws(() => list({ name: 'n', disableCheck: 'yes', plugins: [{ type: 'a' }] }), /invalid disableCheck type "yes"/);
  });

  it('handles loadOnlyInlinedPlugins without plugins', () => {
    assert.throws(() => list({ name: 'n', loadOnlyInlinedPlugins: true }), /loadOnlyInlinedPlugins is true but no plugins/);
    assert.deepEqual(list({ name: 'n', loadOnlyInlinedPlugins: false }).plugins, []);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', '{', /error parsing configuration list: /],
    ['no name', '{"plugins":[{"type":"a"}]}', /error parsing configuration list: no name/],
    ['name not a string', '{"name":5,"plugins":[{"type":"a"}]}', /invalid name type number/],
    ['cniVersion not a string', '{"name":"n","cniVersion":1,"plugins":[{"type":"a"}]}', /invalid cniVersion type number/],
    ['plugins not an array', '{"name":"n","plugins":{}}', /invalid 'plugins' type object/],
    ['empty plugins', '{"name":"n","plugins":[]}', /no plugins in list/],
    ['plugin without type', '{"name":"n","plugins":[{"type":"a"},{"mtu":1}]}', /failed to parse plugin config 1: error parsing configuration: missing 'type'/],
    ['plugin not an object', '{"name":"n","plugins":[7]}', /failed to parse plugin config 0/],
    ['capability not boolean', '{"name":"n","plugins":[{"type":"a","capabilities":{"portMappings":"yes"}}]}', /capability "portMappings" must be true or false/],
  ];
  for (const [what, text, re] of bad) {
    it(`rejects ${what}, naming the source`, () => {
      assert.throws(() => confListFromBytes(Buffer.from(text), '/etc/cni/net.d/x.conflist'), (e: Error) => {
        assert.match(e.message, /^\/etc\/cni\/net\.d\/x\.conflist: /);
        assert.match(e.message, re);
        return true;
      });
    });
  }
});

describe('single plugin configs', () => {
  it('up-converts a .conf to a list and keeps the plugin object', () => {
    const conf = confFromBytes(Buffer.from('{"cniVersion":"0.4.0","name":"legacy","type":"bridge","bridge":"cni0"}'));
    const l = confListFromConf(conf);
    assert.equal(l.name, 'legacy');
    assert.equal(l.cniVersion, '0.4.0');
    assert.deepEqual(l.plugins[0]?.raw, { cniVersion: '0.4.0', name: 'legacy', type: 'bridge', bridge: 'cni0' });
    assert.deepEqual(JSON.parse(l.bytes.toString()), { cniVersion: '0.4.0', name: 'legacy', plugins: [{ cniVersion: '0.4.0', name: 'legacy', type: 'bridge', bridge: 'cni0' }] });
  });

  it('requires a type', () => {
    assert.throws(() => confFromBytes(Buffer.from('{"name":"x"}')), /missing 'type'/);
  });

  it('injectConf adds, replaces and refuses empty keys or null values', () => {
    const conf = confFromBytes(Buffer.from('{"type":"bridge","mtu":1}'));
    assert.deepEqual(injectConf(conf, { mtu: 2, extra: { a: 1 } }).raw, { type: 'bridge', mtu: 2, extra: { a: 1 } });
    assert.throws(() => injectConf(conf, { '': 1 }), /keys cannot be empty/);
    assert.throws(() => injectConf(conf, { x: null }), /must not be nil/);
    assert.deepEqual(conf.raw, { type: 'bridge', mtu: 1 }, 'original untouched');
  });
});

describe('conf dir discovery', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerdnet-conf-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const write = (name: string, obj: unknown) => writeFile(join(dir, name), typeof obj === 'string' ? obj : JSON.stringify(obj));

  it('lists files by extension, skipping dirs; a missing dir is empty', async () => {
    await write('a.conf', { name: 'a', type: 'x' });
    await write('b.txt', 'x');
    await mkdir(join(dir, 'sub.conf'));
    assert.deepEqual(await confFiles(dir, ['.conf']), [join(dir, 'a.conf')]);
    assert.deepEqual(await confFiles(join(dir, 'missing'), ['.conf']), []);
  });

  it('finds a network by name: sorted conflists first, and a conflist shadows a same-name .conf', async () => {
    await write('20-net.conflist', { name: 'net', cniVersion: '1.0.0', plugins: [{ type: 'second' }] });
    await write('10-net.conflist', { name: 'net', cniVersion: '1.0.0', plugins: [{ type: 'first' }] });
    await write('05-net.conf', { name: 'net', cniVersion: '1.0.0', type: 'legacy' });
    const l = await loadConfList(dir, 'net');
    assert.equal(l.plugins[0]?.type, 'first');
    assert.equal(l.source, join(dir, '10-net.conflist'));
    assert.equal((await loadConfList(dir, 'a')).plugins[0]?.type, 'x');
  });

  it('says which name is missing and which dir has no configs', async () => {
    await assert.rejects(loadConfList(dir, 'nope'), /no net configuration with name "nope" in /);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await assert.rejects(loadConfList(empty, 'x'), /no net configurations found in .*empty/);
  });

  it('appends .conf plugins from the sibling folder named after the network', async () => {
    const d = join(dir, 'sub');
    await mkdir(join(d, 'withsub'), { recursive: true });
    await writeFile(join(d, 'x.conflist'), JSON.stringify({ name: 'withsub', cniVersion: '1.1.0', plugins: [{ type: 'inline' }] }));
    await writeFile(join(d, 'withsub', '2.conf'), JSON.stringify({ type: 'b' }));
    await writeFile(join(d, 'withsub', '1.conf'), JSON.stringify({ type: 'a' }));
    assert.deepEqual((await networkConfFromFile(join(d, 'x.conflist'))).plugins.map((p) => p.type), ['inline', 'a', 'b']);
    await writeFile(join(d, 'y.conflist'), JSON.stringify({ name: 'withsub', loadOnlyInlinedPlugins: true, plugins: [{ type: 'inline' }] }));
    assert.deepEqual((await networkConfFromFile(join(d, 'y.conflist'))).plugins.map((p) => p.type), ['inline']);
  });

  it('a broken file aborts the lookup, naming the file', async () => {
    const d = join(dir, 'broken');
    await mkdir(d);
    await writeFile(join(d, '01.conflist'), '{"name": ');
    await writeFile(join(d, '02.conflist'), JSON.stringify({ name: 'ok', plugins: [{ type: 'a' }] }));
    await assert.rejects(loadConfList(d, 'ok'), (e: Error) => e.message.startsWith(join(d, '01.conflist')));
    await assert.rejects(loadConfDir(d), /01\.conflist/);
  });

  it('loadConfDir loads every kind in path order, up to max', async () => {
    const d = join(dir, 'all');
    await mkdir(d);
    await writeFile(join(d, 'b.conflist'), JSON.stringify({ name: 'b', cniVersion: '1.0.0', plugins: [{ type: 'x' }] }));
    await writeFile(join(d, 'a.json'), JSON.stringify({ name: 'a', cniVersion: '1.0.0', type: 'y' }));
    assert.deepEqual((await loadConfDir(d)).map((l) => l.name), ['a', 'b']);
    assert.deepEqual((await loadConfDir(d, 1)).map((l) => l.name), ['a']);
  });
});
