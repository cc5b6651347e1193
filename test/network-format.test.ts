// Output helpers: Go tabwriter semantics (nerdctl's 4/8/4/' '/0 writer) and the template subset.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, table, tabwrite } from '../src/cli/format.js';

describe('tabwrite (Go text/tabwriter)', () => {
  it('pads each tab-terminated cell to the column width (max + 4, at least 4); the last cell is not padded', () => {
    assert.equal(tabwrite('a\tb\tc\naaaa\tbbbbbb\tc\n'), 'a       b         c\naaaa    bbbbbb    c\n');
  });

  it('reproduces nerdctl\'s network ls table, trailing padding of the pseudo rows included', () => {
    const out = table(['NETWORK ID', 'NAME', 'FILE'], [
      ['17f29b073143', 'bridge', '/etc/cni/net.d/nerdctl-bridge.conflist'],
      ['2c26b46b68ff', 'foo', '/etc/cni/net.d/default/nerdctl-foo.conflist'],
      ['', 'host', ''],
      ['', 'none', ''],
    ]);
    assert.equal(
      out,
      [
        'NETWORK ID      NAME      FILE',
        '17f29b073143    bridge    /etc/cni/net.d/nerdctl-bridge.conflist',
        '2c26b46b68ff    foo       /etc/cni/net.d/default/nerdctl-foo.conflist',
        '                host      ',
        '                none      ',
        '',
      ].join('\n'),
    );
  });

  it('a line without tabs ends the block: widths start over after it', () => {
    assert.equal(tabwrite('a\tb\nx\nccccc\td\n'), 'a    b\nx\nccccc    d\n');
  });

  it('column blocks are runs of consecutive lines with a cell in that column', () => {
    assert.equal(tabwrite('aaaaaaaa\tb\tc\nd\te\nf\tg\th\n'), 'aaaaaaaa    b    c\nd           e\nf           g    h\n');
  });

  it('counts runes, not bytes', () => {
    assert.equal(tabwrite('é\tx\nab\ty\n'), 'é     x\nab    y\n');
  });
});

describe('templates', () => {
  const row = { ID: '17f29b073143', Name: 'bridge', Labels: 'a=1', IPAM: { Config: [{ Subnet: '10.4.0.0/24' }] }, M: { b: 2, a: 'x' }, N: null };

  it('fields, nested fields and literal text', () => {
    assert.equal(parseTemplate('{{.Name}} ({{.ID}})').render(row), 'bridge (17f29b073143)');
    assert.equal(parseTemplate('{{ .IPAM.Config }}').render(row), '[map[Subnet:10.4.0.0/24]]');
    assert.equal(parseTemplate('{{.M}} {{.N}}').render(row), 'map[a:x b:2] <no value>');
  });

  it('json, index, join, upper; trim markers', () => {
    assert.equal(parseTemplate('{{json .}}').render({ ID: 'x', Name: '<y>' }), '{"ID":"x","Name":"\\u003cy\\u003e"}');
    assert.equal(parseTemplate('{{json .IPAM.Config}}').render(row), '[{"Subnet":"10.4.0.0/24"}]');
    assert.equal(parseTemplate('{{index .M "a"}}').render(row), 'x');
    assert.equal(parseTemplate('{{join .L ","}}').render({ L: ['a', 'b'] }), 'a,b');
    assert.equal(parseTemplate('{{upper .Name}}').render(row), 'BRIDGE');
    assert.equal(parseTemplate('a  {{- .Name -}}  b').render(row), 'abridgeb');
  });

  it('unknown fields and unsupported actions are clear errors', () => {
    assert.throws(() => parseTemplate('{{.Nope}}').render(row), /invalid --format: can't evaluate field Nope in \. \(fields: ID, Name, Labels, IPAM, M, N\)/);
    assert.throws(() => parseTemplate('{{template "x"}}'), /\{\{template\}\} is not supported in --format/);
  });
});
